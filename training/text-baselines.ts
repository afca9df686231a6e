// The baselines a language model must beat, in nats per character: models
// that count instead of learning. Both use add-one (Laplace) smoothing, so an
// unseen character or pair still gets a probability.

/** −mean log p(c) over the characters of `val`, with p(c) = (count(c) + 1) / (N + V) counted on `train`. */
export function unigramCrossEntropy(train: Int32Array, val: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize);
  for (const token of train) counts[token]! += 1;
  let total = 0;
  for (const token of val) total -= Math.log((counts[token]! + 1) / (train.length + vocabSize));
  return total / val.length;
}

/** −mean log p(b | a) over the pairs (a, b) of `val`, with p(b | a) = (count(a b) + 1) / (count(a) + V) counted on `train`. */
export function bigramCrossEntropy(train: Int32Array, val: Int32Array, vocabSize: number): number {
  const pairCounts = new Float64Array(vocabSize * vocabSize);
  const firstCounts = new Float64Array(vocabSize);
  for (let i = 0; i + 1 < train.length; i++) {
    pairCounts[train[i]! * vocabSize + train[i + 1]!]! += 1;
    firstCounts[train[i]!]! += 1;
  }
  let total = 0;
  for (let i = 0; i + 1 < val.length; i++) {
    const [a, b] = [val[i]!, val[i + 1]!];
    total -= Math.log((pairCounts[a * vocabSize + b]! + 1) / (firstCounts[a]! + vocabSize));
  }
  return total / (val.length - 1);
}
