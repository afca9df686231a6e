// The pieces of a tiny CLIP: a text encoder over words, and the symmetric
// contrastive (InfoNCE) loss that pulls each image towards its own caption.
//
// The loss, for a batch of n pairs (image i, text i) with unit-length
// embeddings u_i (images) and v_j (texts), and a temperature τ:
//
//   S_ij = u_i · v_j / τ                                  how well image i matches text j
//   L = ½ [ CE(S, [0, 1, …, n−1]) + CE(Sᵀ, [0, 1, …, n−1]) ]
//
// Each row of S is a classification "which of the n texts is mine?", each
// column "which of the n images is mine?"; the right answer is the diagonal.
//
// In PyTorch (the pseudocode of the CLIP paper):
//   logits = F.normalize(img) @ F.normalize(txt).T * logit_scale.exp()
//   loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

import { F, arange, nn, tensor, type Tensor } from "../../src/index.ts";

/** x / ‖x‖ along the last dim (F.normalize(x, dim=-1) in PyTorch). */
export function normalizeRows(x: Tensor): Tensor {
  return x.div(x.square().sum(-1, true).add(1e-12).sqrt());
}

/** The symmetric InfoNCE loss of image and text embeddings [n, d] (row i of each is a pair). */
export function symmetricInfoNCE(imageEmbeddings: Tensor, textEmbeddings: Tensor, logitScale: Tensor | number): Tensor {
  const n = imageEmbeddings.shape[0]!;
  const logits = similarityLogits(imageEmbeddings, textEmbeddings, logitScale);
  const labels = arange(n); // int32 0, 1, …, n − 1: pair i is on the diagonal
  return F.crossEntropy(logits, labels).add(F.crossEntropy(logits.T, labels)).div(2);
}

/** S = normalize(u) · normalize(v)ᵀ · scale, where scale = 1/τ. */
export function similarityLogits(imageEmbeddings: Tensor, textEmbeddings: Tensor, logitScale: Tensor | number): Tensor {
  return normalizeRows(imageEmbeddings).matmul(normalizeRows(textEmbeddings).T).mul(logitScale);
}

/** The character bigrams of a word with its boundaries: "one" → "^o", "on", "ne", "e$". */
export function characterBigrams(text: string): string[] {
  const padded = `^${text.toLowerCase()}$`;
  return Array.from({ length: padded.length - 1 }, (_, i) => padded.slice(i, i + 2));
}

/**
 * A text encoder as small as it gets: an embedding bag of character bigrams
 * (the mean of their vectors) followed by a Linear layer. It reads the
 * spelling, never a class number: "seven" and "seventy" share most bigrams.
 */
export class BigramTextEncoder extends nn.Module {
  readonly vocabulary: ReadonlyMap<string, number>;
  embedding: nn.Embedding;
  projection: nn.Linear;

  constructor(texts: readonly string[], width: number, outFeatures: number) {
    super();
    const bigrams = [...new Set(texts.flatMap(characterBigrams))].sort();
    this.vocabulary = new Map(bigrams.map((bigram, i) => [bigram, i + 1])); // 0 is padding, and unknown bigrams
    this.embedding = new nn.Embedding(bigrams.length + 1, width, { paddingIdx: 0 });
    this.projection = new nn.Linear(width, outFeatures);
  }

  /** The bigram ids of each text, padded with 0 to the longest: int32 [n, L], and the count of each. */
  tokenize(texts: readonly string[]): { ids: Tensor; counts: Tensor } {
    const lists = texts.map((text) => characterBigrams(text).map((bigram) => this.vocabulary.get(bigram) ?? 0));
    const length = Math.max(...lists.map((list) => list.length));
    const ids = lists.flatMap((list) => [...list, ...new Array<number>(length - list.length).fill(0)]);
    return {
      ids: tensor(Int32Array.from(ids), { shape: [texts.length, length] }),
      counts: tensor(lists.map((list) => [list.length])),
    };
  }

  /** texts → embeddings [n, outFeatures]: mean of the bigram vectors (padding is the zero vector), then Linear. */
  forwardTexts(texts: readonly string[]): Tensor {
    const { ids, counts } = this.tokenize(texts);
    const bag = this.embedding.forward(ids).sum(1).div(counts); // nn.EmbeddingBag(mode="mean") in PyTorch
    return this.projection.forward(bag);
  }
}
