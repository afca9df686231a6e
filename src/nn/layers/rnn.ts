// The plain (Elman) recurrent network: RNNCell for one step, RNN for a sequence.
//
//   h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t-1} · W_hhᵀ + b_hh)      (or relu instead of tanh)

import type { Tensor } from "../../core/tensor.ts";
import { linear } from "../functional/linear.ts";
import { RNNBase, RNNCellBase, type CellOptions, type RecurrentOptions } from "./rnn-base.ts";

export type RNNNonlinearity = "tanh" | "relu";

/**
 * One step of a plain RNN. `inputGates` is x_t · W_ihᵀ + b_ih, computed
 * before the time loop; the step adds the recurrent part and squashes.
 */
export function rnnStep(inputGates: Tensor, h: Tensor, weightHh: Tensor, biasHh: Tensor | null, nonlinearity: RNNNonlinearity): Tensor {
  const preActivation = inputGates.add(linear(h, weightHh, biasHh)); // x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh
  return nonlinearity === "tanh" ? preActivation.tanh() : preActivation.relu();
}

function checkNonlinearity(layer: string, nonlinearity: string): RNNNonlinearity {
  if (nonlinearity !== "tanh" && nonlinearity !== "relu") {
    throw new Error(`${layer}: nonlinearity must be "tanh" or "relu", got "${nonlinearity}"`);
  }
  return nonlinearity;
}

export interface RNNOptions extends RecurrentOptions {
  /** The squashing function (default "tanh"). */
  nonlinearity?: RNNNonlinearity;
}

/**
 * A multi-layer Elman RNN, like torch.nn.RNN. Parameters per layer k:
 * `weight_ih_l{k}` [hidden, input], `weight_hh_l{k}` [hidden, hidden],
 * `bias_ih_l{k}`, `bias_hh_l{k}` [hidden] (`…_reverse` for the backward direction).
 *
 * forward(input, h0?) with input [time, batch, input_size] (or [batch, time, …]
 * with batchFirst, or unbatched [time, input_size]) and h0 [numLayers·directions,
 * batch, hidden] (zeros if absent) returns [output, hN]: output holds the last
 * layer's h_t for every t, [time, batch, directions·hidden]; hN the final h of
 * every layer and direction.
 */
export class RNN extends RNNBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = checkNonlinearity("RNN", options.nonlinearity ?? "tanh");
    super(inputSize, hiddenSize, 1, (inputGates, [h], w) => [rnnStep(inputGates, h!, w.weightHh, w.biasHh, nonlinearity)], options);
    this.nonlinearity = nonlinearity;
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [output, [hN]] = this.runLayers(input, hx === null ? null : [hx], ["h0"], [this.hiddenSize]);
    return [output, hN!];
  }
}

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: RNNNonlinearity;
}

/**
 * One step of an Elman RNN, like torch.nn.RNNCell: forward(input, h?) with
 * input [batch, input_size] (or unbatched [input_size]) returns h' [batch, hidden].
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 1, options);
    this.nonlinearity = checkNonlinearity("RNNCell", options.nonlinearity ?? "tanh");
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const step = (inputGates: Tensor, [h]: Tensor[]) => [rnnStep(inputGates, h!, this.weight_hh, this.bias_hh, this.nonlinearity)];
    return this.runStep(step, input, hx === null ? null : [hx], ["hx"])[0]!;
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === "tanh" ? "" : `, nonlinearity=${this.nonlinearity}`);
  }
}
