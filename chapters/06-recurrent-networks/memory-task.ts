// A long-memory task: read a sequence of symbols and, at the end, say which
// symbol came FIRST. Everything after the first step is a distraction, so the
// network must keep one piece of information in its state h_t for the whole
// sequence. The longer the sequence, the harder for a plain RNN.
//
// Input at each step: a one-hot of the symbol (K features) plus a "start"
// flag (1 on the first step only), so x is [B, T, K + 1]; target: the first
// symbol, a class in 0 … K − 1 (chance: 1 / K).
//
// The model runs a recurrent cell one step at a time (nn.RNNCell, LSTMCell or
// GRUCell), so that every state h_t is a tensor of its own whose gradient
// ∂loss/∂h_t we can read after backward (retainGrad): that gradient is the
// signal that reaches step t, and it shows vanishing gradients directly.

import { F, Generator, manualSeed, nn, noGrad, optim, stack, tensor, type Tensor } from "../../src/index.ts";
import { ProgressBar } from "../_kit/index.ts";

export type Cell = "rnn" | "lstm" | "gru";

/** A batch of the task: x [B, T, symbols + 1] and the first symbols y [B] (int32). */
export function firstSymbolBatch(batch: number, length: number, symbols: number, generator: Generator): [Tensor, Tensor] {
  const features = symbols + 1;
  const x = new Float32Array(batch * length * features);
  const y = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      const symbol = generator.randint(0, symbols);
      if (t === 0) y[b] = symbol;
      x[(b * length + t) * features + symbol] = 1;
      if (t === 0) x[(b * length + t) * features + symbols] = 1; // the start flag
    }
  }
  return [tensor(x).reshape([batch, length, features]), tensor(y, { dtype: "int32" })];
}

/** A recurrent cell unrolled by hand, and a linear head on the last state. */
export class StepwiseClassifier extends nn.Module {
  cell: nn.RNNCell | nn.LSTMCell | nn.GRUCell;
  head: nn.Linear;

  /**
   * Every weight starts as in PyTorch (uniform in ±1/√hidden). For the LSTM,
   * `forgetBias` (default 1) is then written into the forget gate's b_ih, and
   * its b_hh is zeroed: f = σ(… + 1) ≈ 0.73 at the start, so the cell state
   * c_t = f ⊙ c_{t−1} + i ⊙ g begins by keeping most of what it holds — the
   * common trick (Jozefowicz et al., 2015).
   */
  constructor(readonly kind: Cell, inputSize: number, hiddenSize: number, classes: number, { forgetBias = 1 }: { forgetBias?: number } = {}) {
    super();
    this.cell = kind === "rnn" ? new nn.RNNCell(inputSize, hiddenSize) : kind === "lstm" ? new nn.LSTMCell(inputSize, hiddenSize) : new nn.GRUCell(inputSize, hiddenSize);
    this.head = new nn.Linear(hiddenSize, classes);
    if (this.cell instanceof nn.LSTMCell) {
      const cell = this.cell;
      noGrad(() => { // the gates are stacked [i, f, g, o]: the forget gate is the second block of hidden values
        cell.bias_ih!.narrow(0, hiddenSize, hiddenSize).fill_(forgetBias);
        cell.bias_hh!.narrow(0, hiddenSize, hiddenSize).zero_();
      });
    }
  }

  /** x [B, T, F] → logits [B, classes] and every state h_1 … h_T (each [B, H]). */
  run(x: Tensor): { logits: Tensor; states: Tensor[] } {
    const states: Tensor[] = [];
    let h: Tensor | null = null, c: Tensor | null = null;
    for (let t = 0; t < x.shape[1]!; t++) {
      const input = x.select(1, t);
      if (this.cell instanceof nn.LSTMCell) {
        [h, c] = this.cell.forward(input, h === null || c === null ? null : [h, c]); // h_t, c_t = LSTM(x_t, h_{t−1}, c_{t−1})
      } else {
        h = this.cell.forward(input, h); // h_t = cell(x_t, h_{t−1})
      }
      states.push(h);
    }
    return { logits: this.head.forward(states.at(-1)!), states };
  }
}

export interface MemoryRun {
  steps: number;
  batch: number;
  hiddenSize: number;
  symbols: number;
  learningRate: number;
}

/** Trains a fresh model on sequences of `length` and returns it with its accuracy on 500 new sequences (%). */
export function trainOnMemoryTask(kind: Cell, length: number, run: MemoryRun, seed: number, forgetBias = 1): { model: StepwiseClassifier; accuracy: number } {
  manualSeed(seed); // every cell and length starts from the same random state
  const model = new StepwiseClassifier(kind, run.symbols + 1, run.hiddenSize, run.symbols, { forgetBias });
  const optimizer = new optim.Adam(model.parameters(), { lr: run.learningRate });
  const data = new Generator(seed);
  const progress = new ProgressBar(run.steps, { label: `${kind.toUpperCase().padEnd(4)} T=${length}`.padEnd(10) });
  for (let step = 0; step < run.steps; step++) {
    const [x, y] = firstSymbolBatch(run.batch, length, run.symbols, data);
    const loss = F.crossEntropy(model.run(x).logits, y);
    optimizer.zeroGrad();
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1); // keeps a rare exploding gradient from wrecking the run
    optimizer.step();
    progress.tick(1, `loss ${loss.item().toFixed(3)}`);
  }
  progress.finish();
  const [x, y] = firstSymbolBatch(500, length, run.symbols, new Generator(seed + 1000));
  const predicted = noGrad(() => model.run(x).logits.argmax(1));
  const accuracy = (100 * predicted.eq(y).sum().item()) / 500;
  return { model, accuracy };
}

/**
 * ‖∂loss/∂h_t‖ for t = 1 … T, averaged over a batch: how much of the learning
 * signal from the answer at the end reaches each step. By the chain rule,
 * ∂loss/∂h_t = ∂loss/∂h_T · Π_{s=t+1..T} ∂h_s/∂h_{s−1}: a product of T − t
 * Jacobians, which shrinks geometrically when they are small (the plain RNN:
 * tanh′ · W_hh) and can stay near 1 through an LSTM's cell (∂c_s/∂c_{s−1} = f_s).
 */
export function hiddenGradientNorms(model: StepwiseClassifier, x: Tensor, y: Tensor): number[] {
  const { logits, states } = model.run(x);
  for (const h of states) h.retainGrad();
  model.zeroGrad();
  F.crossEntropy(logits, y).backward();
  const norms = stack(states.map((h) => h.grad!)).pow(2).sum(2).sqrt().mean(1); // [T]: mean over the batch of ‖∂loss/∂h_t‖
  model.zeroGrad();
  return Array.from(norms.toTypedArray());
}
