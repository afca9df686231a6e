// A character-level language model: read a text one character at a time and,
// at every position, predict the next character.
//
// The idea (Karpathy's char-rnn, 2015): a recurrent network keeps a state that
// summarises everything it has read so far; from that state a linear layer
// scores every character of the vocabulary as the next one. Trained on a novel
// with cross-entropy, it learns spelling, then words, then a little grammar,
// and sampling from it one character at a time writes new "text".
//
// Three layers, with shapes for a batch of B rows of T characters and a
// vocabulary of V characters:
//
//   tokens    [B, T]      int32 ids
//   embedding [B, T, E]   e_t = W_emb[token_t]            a learned vector per character
//   rnn       [B, T, H]   h_t = cell(e_t, h_{t−1})         RNN, LSTM or GRU, numLayers deep
//   head      [B, T, V]   logits_t = h_t · W_headᵀ + b     a score per possible next character
//
// and the loss is the mean over all B·T positions of −log softmax(logits_t)[token_{t+1}]
// (F.crossEntropy), in nats per character.
//
// The three cells differ in how h_t is computed (see src/nn/layers/rnn.ts,
// lstm.ts, gru.ts): the plain RNN squashes a sum, h_t = tanh(W_ih e_t + W_hh h_{t−1} + b);
// the LSTM and GRU add gates that decide what to keep, which lets gradients
// survive over many more steps.
//
// Truncated backpropagation through time: a long text is cut into windows of
// T characters; the state at the end of one window is the start of the next
// (so the model still sees an unbroken text), but it is detached first
// (detachHidden), so gradients flow back at most T steps.
//
// In PyTorch (the RNNModel of pytorch/examples' word_language_model, with
// `encoder`/`decoder` named `embedding`/`head`):
//
//   class CharRNN(nn.Module):
//       def __init__(self, vocab_size, cell="lstm", embedding_dim=32, hidden_size=64, num_layers=1, dropout=0.0):
//           super().__init__()
//           self.embedding = nn.Embedding(vocab_size, embedding_dim)
//           layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
//           self.rnn = layer(embedding_dim, hidden_size, num_layers, dropout=dropout, batch_first=True)
//           self.drop = nn.Dropout(dropout)
//           self.head = nn.Linear(hidden_size, vocab_size)
//       def forward(self, tokens, hidden=None):
//           output, hidden = self.rnn(self.embedding(tokens), hidden)
//           return self.head(self.drop(output)), hidden
//
// State-dict keys: `embedding.weight`, `rnn.weight_ih_l0`, `rnn.weight_hh_l0`,
// `rnn.bias_ih_l0`, `rnn.bias_hh_l0` (… `_l1` for a second layer), `head.weight`,
// `head.bias`, exactly as PyTorch names them, so weights move both ways.

import { tensor, zeros } from "../core/creation.ts";
import { noGrad } from "../core/grad-mode.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { Dropout } from "../nn/layers/dropout.ts";
import { Embedding } from "../nn/layers/embedding.ts";
import { GRU } from "../nn/layers/gru.ts";
import { Linear } from "../nn/layers/linear.ts";
import { LSTM, type LSTMState } from "../nn/layers/lstm.ts";
import { RNN } from "../nn/layers/rnn.ts";
import { Module } from "../nn/module.ts";

/** Which recurrent layer a model uses: nn.RNN (tanh), nn.LSTM or nn.GRU. */
export type RecurrentCell = "rnn" | "lstm" | "gru";

/** The state a recurrent layer carries between calls: h for RNN and GRU, [h, c] for LSTM (as in PyTorch). */
export type RecurrentState = Tensor | LSTMState;

/** The options every recurrent model here passes on to its recurrent layer. */
export interface RecurrentLayerOptions {
  cell: RecurrentCell;
  numLayers: number;
  /** Dropout between stacked layers (PyTorch's `dropout` argument of nn.LSTM). */
  dropout: number;
}

/** nn.RNN, nn.LSTM or nn.GRU with batch-first input [B, T, inputSize], as `cell` says. */
export function makeRecurrentLayer(inputSize: number, hiddenSize: number, { cell, numLayers, dropout }: RecurrentLayerOptions): RNN | LSTM | GRU {
  const options = { numLayers, dropout, batchFirst: true };
  if (cell === "rnn") return new RNN(inputSize, hiddenSize, options);
  if (cell === "lstm") return new LSTM(inputSize, hiddenSize, options);
  if (cell === "gru") return new GRU(inputSize, hiddenSize, options);
  throw new Error(`cell must be "rnn", "lstm" or "gru", got ${JSON.stringify(cell)}`);
}

/**
 * Runs a recurrent layer from `state` (zeros when null), checking that the
 * state has the form the layer expects: a pair [h, c] for an LSTM, one tensor otherwise.
 */
export function runRecurrentLayer(layer: RNN | LSTM | GRU, input: Tensor, state: RecurrentState | null): [Tensor, RecurrentState] {
  if (layer instanceof LSTM) {
    if (state !== null && !Array.isArray(state)) throw new Error("LSTM: the hidden state is a pair [h, c], got a single tensor");
    return layer.forward(input, state);
  }
  if (Array.isArray(state)) throw new Error(`${layer.constructor.name}: the hidden state is one tensor h, got a pair`);
  return layer.forward(input, state);
}

/**
 * The same state cut off from the graph that computed it: the values stay,
 * the history goes. Between two windows of truncated backpropagation through
 * time, so that the next backward stops here (PyTorch: `h.detach()`, or
 * `tuple(s.detach() for s in hidden)` for an LSTM).
 */
export function detachHidden(state: RecurrentState): RecurrentState {
  return Array.isArray(state) ? [state[0].detach(), state[1].detach()] : state.detach();
}

export interface CharRNNOptions {
  /** The recurrent layer (default "lstm"). */
  cell?: RecurrentCell;
  /** Size E of each character's vector (default 32). */
  embeddingDim?: number;
  /** Size H of the state h (default 64). */
  hiddenSize?: number;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Dropout between stacked layers and on the last layer's outputs, in training mode (default 0). */
  dropout?: number;
}

export interface SampleOptions {
  /** How many characters to generate. */
  length: number;
  /**
   * Divides the logits before the softmax (default 1): below 1 the samples are
   * safer and more repetitive, above 1 more surprising; 0 always takes the
   * most likely character.
   */
  temperature?: number;
  /** Where the random draws come from (default: the global generator). */
  generator?: Generator;
}

/**
 * Embedding → RNN / LSTM / GRU → Linear, predicting the next character at
 * every position. forward(tokens [B, T] int32, hidden?) returns
 * [logits [B, T, vocabSize], the final hidden state].
 *
 * The default configuration, trained in training/char-rnn.ts (vocabSize 75,
 * the characters of Pride and Prejudice; embeddingDim 32, hiddenSize 64,
 * one layer), has 2,400 + 6,272 + 4,875 = 13,547 parameters with an RNN,
 * 2,400 + 25,088 + 4,875 = 32,363 with an LSTM and 2,400 + 18,816 + 4,875 =
 * 26,091 with a GRU (embedding + recurrent layer + head), the same as its
 * PyTorch twin in scripts/torch-arch-recurrent.py.
 */
export class CharRNN extends Module {
  readonly vocabSize: number;
  readonly cell: RecurrentCell;
  readonly hiddenSize: number;
  readonly numLayers: number;
  embedding: Embedding;
  rnn: RNN | LSTM | GRU;
  drop: Dropout;
  head: Linear;

  constructor(vocabSize: number, options: CharRNNOptions = {}) {
    super();
    const { cell = "lstm", embeddingDim = 32, hiddenSize = 64, numLayers = 1, dropout = 0 } = options;
    this.vocabSize = vocabSize;
    this.cell = cell;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.embedding = new Embedding(vocabSize, embeddingDim);
    this.rnn = makeRecurrentLayer(embeddingDim, hiddenSize, { cell, numLayers, dropout });
    this.drop = new Dropout(dropout);
    this.head = new Linear(hiddenSize, vocabSize);
  }

  /** tokens [B, T] int32 → [logits [B, T, vocabSize], final state]; `hidden` is the state to start from (zeros if absent). */
  forward(tokens: Tensor, hidden: RecurrentState | null = null): [Tensor, RecurrentState] {
    if (tokens.ndim !== 2 || tokens.dtype !== "int32") {
      throw new Error(`CharRNN: expected tokens as int32 [batch, time], got ${tokens.dtype} of shape ${formatShape(tokens.shape)}`);
    }
    const vectors = this.embedding.forward(tokens);                      // [B, T, E]
    const [outputs, last] = runRecurrentLayer(this.rnn, vectors, hidden); // [B, T, H]
    return [this.head.forward(this.drop.forward(outputs)), last];        // [B, T, V]
  }

  /** The all-zeros starting state for `batchSize` rows: [numLayers, B, H], or a pair of them for an LSTM. */
  initHidden(batchSize: number): RecurrentState {
    const dtype = this.head.weight.dtype;
    const state = () => zeros([this.numLayers, batchSize, this.hiddenSize], { dtype });
    return this.cell === "lstm" ? [state(), state()] : state();
  }

  /**
   * Generates `length` characters after `prompt` (at least one id): reads the
   * prompt, then repeatedly draws the next character from
   * softmax(logits / temperature) and feeds it back in. Returns the new ids
   * only (the prompt is not repeated). Runs in eval mode without gradients and
   * restores the previous mode.
   */
  sample(prompt: ArrayLike<number>, { length, temperature = 1, generator = defaultGenerator }: SampleOptions): Int32Array {
    if (prompt.length === 0) throw new Error("CharRNN.sample: the prompt needs at least one token to start from");
    if (!Number.isInteger(length) || length < 0) throw new Error(`CharRNN.sample: length must be an integer >= 0, got ${length}`);
    if (!(temperature >= 0)) throw new Error(`CharRNN.sample: temperature must be >= 0, got ${temperature}`);
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => {
        const generated = new Int32Array(length);
        let input = tensor(Int32Array.from(prompt), { dtype: "int32", shape: [1, prompt.length] });
        let state: RecurrentState | null = null;
        for (let i = 0; i < length; i++) {
          const [logits, next] = this.forward(input, state);
          const lastLogits = logits.select(0, 0).select(0, logits.shape[1]! - 1); // [V]
          generated[i] = drawToken(lastLogits.tolist() as number[], temperature, generator);
          input = tensor([[generated[i]!]], { dtype: "int32" });
          state = next;
        }
        return generated;
      });
    } finally {
      this.train(wasTraining);
    }
  }
}

/**
 * One draw from softmax(logits / temperature), by walking the cumulative
 * probabilities until they pass a uniform number (PyTorch: torch.multinomial).
 * Temperature 0 takes the largest logit.
 */
export function drawToken(logits: readonly number[], temperature: number, generator: Generator): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  if (temperature === 0) return best;
  // p_i ∝ exp((l_i − l_max) / temperature): subtracting the largest logit keeps exp from overflowing.
  const weights = logits.map((l) => Math.exp((l - logits[best]!) / temperature));
  let threshold = generator.random() * weights.reduce((sum, w) => sum + w, 0);
  for (let i = 0; i < weights.length; i++) {
    threshold -= weights[i]!;
    if (threshold < 0) return i;
  }
  return best; // only reached through rounding when the draw lands at the very end
}
