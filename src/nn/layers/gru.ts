// Gated recurrent unit: GRUCell for one step, GRU for a sequence.
//
// A GRU keeps one state h and decides, unit by unit, how much of it to
// replace by a new candidate. Gates are in PyTorch's order r, z, n.

import type { Tensor } from "../../core/tensor.ts";
import { linear } from "../functional/linear.ts";
import { RNNBase, RNNCellBase, type CellOptions, type RecurrentOptions } from "./rnn-base.ts";

/**
 * One step of a GRU. `inputGates` is x_t · W_ihᵀ + b_ih for [r, z, n],
 * computed before the time loop. The reset gate multiplies the recurrent part
 * of n only (h · W_hnᵀ + b_hn), as in PyTorch, which is why the two halves
 * are kept apart until then.
 */
export function gruStep(inputGates: Tensor, h: Tensor, weightHh: Tensor, biasHh: Tensor | null): Tensor {
  const [xr, xz, xn] = inputGates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = linear(h, weightHh, biasHh).chunk(3, -1) as [Tensor, Tensor, Tensor];
  const reset = xr.add(hr).sigmoid();           // r = σ(W_ir x + b_ir + W_hr h + b_hr): how much of h the candidate sees
  const update = xz.add(hz).sigmoid();          // z = σ(W_iz x + b_iz + W_hz h + b_hz): how much of h to keep
  const candidate = xn.add(reset.mul(hn)).tanh(); // n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
  return candidate.add(update.mul(h.sub(candidate))); // h' = (1 − z) ⊙ n + z ⊙ h
}

/**
 * A multi-layer GRU, like torch.nn.GRU. Parameters per layer k:
 * `weight_ih_l{k}` [3·hidden, input], `weight_hh_l{k}` [3·hidden, hidden],
 * `bias_ih_l{k}`, `bias_hh_l{k}` [3·hidden] (`…_reverse` for the backward direction).
 *
 * forward(input, h0?) returns [output, hN] with the same shapes as RNN's.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 3, (inputGates, [h], w) => [gruStep(inputGates, h!, w.weightHh, w.biasHh)], options);
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [output, [hN]] = this.runLayers(input, hx === null ? null : [hx], ["h0"], [this.hiddenSize]);
    return [output, hN!];
  }
}

/**
 * One step of a GRU, like torch.nn.GRUCell: forward(input, h?) with input
 * [batch, input_size] (or unbatched [input_size]) returns h' [batch, hidden].
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const step = (inputGates: Tensor, [h]: Tensor[]) => [gruStep(inputGates, h!, this.weight_hh, this.bias_hh)];
    return this.runStep(step, input, hx === null ? null : [hx], ["hx"])[0]!;
  }
}
