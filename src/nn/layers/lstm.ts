// Long short-term memory: LSTMCell for one step, LSTM for a sequence.
//
// Besides h, an LSTM carries a cell state c that changes only by gated
// additions, so gradients can flow through many steps without vanishing.
// Gates are computed together and split in PyTorch's order i, f, g, o.

import type { Tensor } from "../../core/tensor.ts";
import { linear } from "../functional/linear.ts";
import { RNNBase, RNNCellBase, type CellOptions, type RecurrentOptions } from "./rnn-base.ts";

/** The two states an LSTM carries: [h, c]. */
export type LSTMState = [Tensor, Tensor];

/**
 * One step of an LSTM. `inputGates` is x_t · W_ihᵀ + b_ih for the four gates
 * [i, f, g, o], computed before the time loop; the step adds h · W_hhᵀ + b_hh.
 */
export function lstmStep(inputGates: Tensor, [h, c]: LSTMState, weightHh: Tensor, biasHh: Tensor | null): LSTMState {
  const [i, f, g, o] = inputGates.add(linear(h, weightHh, biasHh)).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const inputGate = i.sigmoid();   // i = σ(…): how much of the candidate to write
  const forgetGate = f.sigmoid();  // f = σ(…): how much of the old cell state to keep
  const candidate = g.tanh();      // g = tanh(…): the new content
  const outputGate = o.sigmoid();  // o = σ(…): how much of the cell state to show
  const cNext = forgetGate.mul(c).add(inputGate.mul(candidate)); // c' = f ⊙ c + i ⊙ g
  const hNext = outputGate.mul(cNext.tanh());                     // h' = o ⊙ tanh(c')
  return [hNext, cNext];
}

export interface LSTMOptions extends RecurrentOptions {
  /**
   * When > 0, h is projected down to this size after every step,
   * h_t = W_hr · (o ⊙ tanh(c_t)), with `weight_hr_l{k}` [projSize, hidden] (default 0: no projection).
   */
  projSize?: number;
}

/**
 * A multi-layer LSTM, like torch.nn.LSTM. Parameters per layer k:
 * `weight_ih_l{k}` [4·hidden, input], `weight_hh_l{k}` [4·hidden, hidden or projSize],
 * `bias_ih_l{k}`, `bias_hh_l{k}` [4·hidden], `weight_hr_l{k}` [projSize, hidden]
 * with projections (`…_reverse` for the backward direction).
 *
 * forward(input, [h0, c0]?) returns [output, [hN, cN]]: output
 * [time, batch, directions·H_out] (batchFirst: [batch, time, …]; unbatched:
 * [time, …]), hN [numLayers·directions, batch, H_out], cN [numLayers·directions,
 * batch, hidden], where H_out is projSize when projecting, else hidden.
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super(inputSize, hiddenSize, 4, (inputGates, [h, c], w) => {
      const [hNext, cNext] = lstmStep(inputGates, [h!, c!], w.weightHh, w.biasHh);
      return [w.weightHr === null ? hNext : linear(hNext, w.weightHr), cNext];
    }, options);
  }

  forward(input: Tensor, hx: LSTMState | null = null): [Tensor, LSTMState] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new Error("LSTM: hx must be a pair [h0, c0] (or null for zeros)");
    const [output, [hN, cN]] = this.runLayers(input, hx, ["h0", "c0"], [this.outputSize, this.hiddenSize]);
    return [output, [hN!, cN!]];
  }
}

/**
 * One step of an LSTM, like torch.nn.LSTMCell: forward(input, [h, c]?) with
 * input [batch, input_size] (or unbatched [input_size]) returns [h', c'].
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  forward(input: Tensor, hx: LSTMState | null = null): LSTMState {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new Error("LSTMCell: hx must be a pair [h, c] (or null for zeros)");
    const step = (inputGates: Tensor, [h, c]: Tensor[]) => lstmStep(inputGates, [h!, c!], this.weight_hh, this.bias_hh);
    const [hNext, cNext] = this.runStep(step, input, hx, ["h", "c"]);
    return [hNext!, cNext!];
  }
}
