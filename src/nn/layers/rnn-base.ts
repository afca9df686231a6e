// What RNN, LSTM and GRU have in common: their parameters, and the loop that
// runs a cell over a sequence, layer after layer, in one or both directions.
// The cells' equations live in rnn.ts, lstm.ts and gru.ts.
//
// A recurrent layer reads a sequence x_1 … x_T and carries a state from step
// to step. Each cell splits its work in two:
//   - the input's share of the gates, x_t · W_ihᵀ + b_ih, which does not depend
//     on the state: computed for all T steps with one matrix product;
//   - the recurrent share, h_{t-1} · W_hhᵀ + b_hh, which must wait for the
//     previous step: computed inside the time loop.

import { zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import { cat, stack } from "../../core/ops/shape.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { dropout as dropoutFn } from "../functional/dropout.ts";
import { linear } from "../functional/linear.ts";
import { uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";

/** Options shared by RNN, LSTM and GRU (PyTorch's keyword arguments, in camelCase). */
export interface RecurrentOptions {
  /** Number of stacked layers; layer k + 1 reads the outputs of layer k (default 1). */
  numLayers?: number;
  /** Whether the cells learn b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [batch, time, features] instead of [time, batch, features] (default false). States are unaffected. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode only (default 0). */
  dropout?: number;
  /** Also run a second layer from the end of the sequence to its start, and concatenate both outputs (default false). */
  bidirectional?: boolean;
  dtype?: DType;
}

/** The parameters of one layer in one direction. */
export interface DirectionWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
  /** LSTM with projSize > 0 only: h_t = W_hr · h̃_t. */
  weightHr: Tensor | null;
}

/**
 * One time step of a cell. `inputGates` is x_t · W_ihᵀ + b_ih (already
 * computed for the whole sequence); `state` is [h] for RNN and GRU, [h, c]
 * for LSTM. Returns the new state, whose first tensor is the step's output.
 */
export type StepFunction = (inputGates: Tensor, state: Tensor[], weights: DirectionWeights) => Tensor[];

/**
 * The slices x[0], x[1], … along the first dim (time), as views. Taking each
 * with select would cost, in backward, one gradient of x's full size per step:
 * T² work over a sequence of length T. Cutting x in halves, then the halves
 * in halves, costs only log₂ T full-size gradients.
 */
function timeSteps(x: Tensor): Tensor[] {
  const steps = x.shape[0]!;
  if (steps === 1) return [x.select(0, 0)];
  const half = Math.ceil(steps / 2);
  return [...timeSteps(x.narrow(0, 0, half)), ...timeSteps(x.narrow(0, half, steps - half))];
}

/** Every parameter of a recurrent layer or cell starts uniform in ±1/√hidden_size, as in PyTorch. */
function initUniform(parameters: Parameter[], hiddenSize: number): void {
  const bound = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
  for (const p of parameters) uniform_(p, -bound, bound);
}

function checkSize(layer: string, name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${layer}: ${name} must be an integer >= ${minimum}, got ${value}`);
}

/** Throws unless `t` has exactly `expected` as its shape. */
function checkShape(layer: string, what: string, t: Tensor, expected: readonly number[], meaning: string): void {
  if (formatShape(t.shape) !== formatShape(expected)) {
    throw new Error(`${layer}: expected ${what} of shape ${formatShape(expected)} (${meaning}), got ${formatShape(t.shape)}`);
  }
}

/**
 * The base of RNN, LSTM and GRU, like PyTorch's RNNBase. Parameters are named
 * as in PyTorch: `weight_ih_l{k}` [gates·hidden, input], `weight_hh_l{k}`
 * [gates·hidden, hidden], `bias_ih_l{k}`, `bias_hh_l{k}` (and `weight_hr_l{k}`
 * for an LSTM with projections), with `_reverse` appended for the backward
 * direction, registered in that order, layer by layer.
 */
export abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Size of h when an LSTM projects it (0: no projection, h has hiddenSize values). */
  readonly projSize: number;
  // Every parameter is a field set by registerParameter; the first layer's are
  // declared here so that `lstm.weight_ih_l0` type-checks (bias_* is absent without bias).
  declare weight_ih_l0: Parameter;
  declare weight_hh_l0: Parameter;
  declare bias_ih_l0?: Parameter;
  declare bias_hh_l0?: Parameter;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gateCount: number,
    private readonly step: StepFunction,
    options: RecurrentOptions & { projSize?: number },
  ) {
    super();
    const { numLayers = 1, bias = true, batchFirst = false, dropout = 0, bidirectional = false, projSize = 0, dtype = "float32" } = options;
    const name = this.constructor.name;
    checkSize(name, "inputSize", inputSize, 0);
    checkSize(name, "hiddenSize", hiddenSize, 1);
    checkSize(name, "numLayers", numLayers, 1);
    checkSize(name, "projSize", projSize, 0);
    if (!(dropout >= 0 && dropout <= 1)) throw new Error(`${name}: dropout must be a probability between 0 and 1, got ${dropout}`);
    if (projSize >= hiddenSize && projSize > 0) {
      throw new Error(`${name}: projSize must be smaller than hiddenSize, got projSize=${projSize} and hiddenSize=${hiddenSize}`);
    }
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    this.projSize = projSize;

    const outputSize = this.outputSize;
    for (let layer = 0; layer < numLayers; layer++) {
      const layerInputSize = layer === 0 ? inputSize : outputSize * this.directions;
      for (let direction = 0; direction < this.directions; direction++) {
        const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
        const parameter = (shape: number[]) => new Parameter(zeros(shape, { dtype }));
        this.registerParameter(`weight_ih${suffix}`, parameter([gateCount * hiddenSize, layerInputSize]));
        this.registerParameter(`weight_hh${suffix}`, parameter([gateCount * hiddenSize, outputSize]));
        if (bias) {
          this.registerParameter(`bias_ih${suffix}`, parameter([gateCount * hiddenSize]));
          this.registerParameter(`bias_hh${suffix}`, parameter([gateCount * hiddenSize]));
        }
        if (projSize > 0) this.registerParameter(`weight_hr${suffix}`, parameter([projSize, hiddenSize]));
      }
    }
    this.resetParameters();
  }

  /** 2 for a bidirectional layer, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The size of h (and of each direction's output): projSize when projecting, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** PyTorch's default initialisation: every parameter uniform in ±1/√hidden_size. */
  resetParameters(): void {
    initUniform(this.parameters(), this.hiddenSize);
  }

  /** The parameters of one layer and direction, looked up by name (so that `double()`, which replaces them, is seen). */
  protected weightsOf(layer: number, direction: number): DirectionWeights {
    const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
    const field = (name: string) => ((this as unknown as Record<string, Parameter | undefined>)[name + suffix] ?? null);
    return {
      weightIh: field("weight_ih")!,
      weightHh: field("weight_hh")!,
      biasIh: field("bias_ih"),
      biasHh: field("bias_hh"),
      weightHr: field("weight_hr"),
    };
  }

  /**
   * The whole forward pass, for states given as a list ([h0] or [h0, c0]).
   * `stateSizes` are the last dims of those states and `stateNames` their
   * names, for error messages. Returns the output and the final states.
   */
  protected runLayers(input: Tensor, given: Tensor[] | null, stateNames: string[], stateSizes: number[]): [Tensor, Tensor[]] {
    const name = this.constructor.name;
    if (input.ndim !== 2 && input.ndim !== 3) {
      const layout = this.batchFirst ? "[batch, time, features]" : "[time, batch, features]";
      throw new Error(`${name}: expected input to be 3-D ${layout} or 2-D unbatched [time, features], got shape ${formatShape(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${name}: input ${formatShape(input.shape)} has ${input.shape[input.ndim - 1]} features in its last dim, ` +
        `expected input_size=${this.inputSize}`);
    }
    const batched = input.ndim === 3;
    // Work on [time, batch, features] whatever the caller's layout.
    let x = !batched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [steps, batch] = [x.shape[0]!, x.shape[1]!];
    if (steps === 0) throw new Error(`${name}: the input sequence ${formatShape(input.shape)} is empty; it needs at least one time step`);
    const states = this.initialStates(given, batched, batch, stateNames, stateSizes);

    const finalStates: Tensor[][] = stateSizes.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let direction = 0; direction < this.directions; direction++) {
        const index = layer * this.directions + direction;
        const start = states.map((s) => s.select(0, index));
        const { output, final } = this.runDirection(x, start, this.weightsOf(layer, direction), direction === 1);
        outputs.push(output);
        final.forEach((s, k) => finalStates[k]!.push(s));
      }
      // Both directions' outputs side by side: [time, batch, 2·hidden].
      x = outputs.length === 1 ? outputs[0]! : cat(outputs, 2);
      if (this.training && this.dropout > 0 && layer < this.numLayers - 1) x = dropoutFn(x, { p: this.dropout });
    }

    const finals = finalStates.map((list) => stack(list, 0));
    if (!batched) return [x.squeeze(1), finals.map((s) => s.squeeze(1))];
    return [this.batchFirst ? x.transpose(0, 1) : x, finals];
  }

  /** One layer in one direction over the whole sequence [time, batch, features]. */
  private runDirection(input: Tensor, state: Tensor[], weights: DirectionWeights, reverse: boolean): { output: Tensor; final: Tensor[] } {
    const [steps, batch, features] = input.shape as [number, number, number];
    // The input's share of every gate for all steps at once: one [T·N, in]·[in, gates·H] product.
    const inputGates = timeSteps(linear(input.reshape([steps * batch, features]), weights.weightIh, weights.biasIh).reshape([steps, batch, -1]));
    const outputs = new Array<Tensor>(steps);
    for (let i = 0; i < steps; i++) {
      const t = reverse ? steps - 1 - i : i;
      state = this.step(inputGates[t]!, state, weights);
      outputs[t] = state[0]!;
    }
    return { output: stack(outputs, 0), final: state };
  }

  /** The given initial states, checked and made batched, or zeros: each [numLayers·directions, batch, size]. */
  private initialStates(given: Tensor[] | null, batched: boolean, batch: number, names: string[], sizes: number[]): Tensor[] {
    const name = this.constructor.name;
    const count = this.numLayers * this.directions;
    const dtype = this.weightsOf(0, 0).weightIh.dtype;
    if (given === null) return sizes.map((size) => zeros([count, batch, size], { dtype }));
    return given.map((state, k) => {
      const size = sizes[k]!;
      const meaning = batched ? `numLayers·directions, batch, ${size === this.hiddenSize ? "hidden_size" : "proj_size"}` :
        `numLayers·directions, ${size === this.hiddenSize ? "hidden_size" : "proj_size"}; the input is unbatched`;
      checkShape(name, names[k]!, state, batched ? [count, batch, size] : [count, size], meaning);
      return batched ? state : state.unsqueeze(1);
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.projSize > 0) parts.push(`proj_size=${this.projSize}`);
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (!this.bias) parts.push("bias=False");
    if (this.batchFirst) parts.push("batch_first=True");
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=True");
    return parts.join(", ");
  }
}

/** Options shared by RNNCell, LSTMCell and GRUCell. */
export interface CellOptions {
  /** Whether the cell learns b_ih and b_hh (default true). */
  bias?: boolean;
  dtype?: DType;
}

/**
 * The base of RNNCell, LSTMCell and GRUCell, like PyTorch's RNNCellBase: one
 * step of the recurrence, with parameters `weight_ih` [gates·hidden, input],
 * `weight_hh` [gates·hidden, hidden], `bias_ih` and `bias_hh` [gates·hidden].
 */
export abstract class RNNCellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(readonly inputSize: number, readonly hiddenSize: number, gateCount: number, { bias = true, dtype = "float32" }: CellOptions) {
    super();
    const name = this.constructor.name;
    checkSize(name, "inputSize", inputSize, 0);
    checkSize(name, "hiddenSize", hiddenSize, 1);
    this.weight_ih = new Parameter(zeros([gateCount * hiddenSize, inputSize], { dtype }));
    this.weight_hh = new Parameter(zeros([gateCount * hiddenSize, hiddenSize], { dtype }));
    this.bias_ih = bias ? new Parameter(zeros([gateCount * hiddenSize], { dtype })) : null;
    this.bias_hh = bias ? new Parameter(zeros([gateCount * hiddenSize], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialisation: every parameter uniform in ±1/√hidden_size. */
  resetParameters(): void {
    initUniform(this.parameters(), this.hiddenSize);
  }

  /** The cell's parameters in the form the step functions take. */
  protected get weights(): DirectionWeights {
    return { weightIh: this.weight_ih, weightHh: this.weight_hh, biasIh: this.bias_ih, biasHh: this.bias_hh, weightHr: null };
  }

  /**
   * Runs one step on `input` [batch, input_size] or unbatched [input_size],
   * from the states `given` (each [batch, hidden_size] or [hidden_size]) or
   * zeros; returns the new states in the input's layout.
   */
  protected runStep(step: StepFunction, input: Tensor, given: Tensor[] | null, stateNames: string[]): Tensor[] {
    const name = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new Error(`${name}: expected input to be 2-D [batch, input_size] or 1-D unbatched [input_size], got shape ${formatShape(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${name}: input ${formatShape(input.shape)} has ${input.shape[input.ndim - 1]} features in its last dim, ` +
        `expected input_size=${this.inputSize}`);
    }
    const batched = input.ndim === 2;
    const x = batched ? input : input.unsqueeze(0);
    const batch = x.shape[0]!;
    const states = stateNames.map((stateName, k) => {
      const state = given?.[k];
      if (state === undefined) return zeros([batch, this.hiddenSize], { dtype: this.weight_ih.dtype });
      const expected = batched ? [batch, this.hiddenSize] : [this.hiddenSize];
      checkShape(name, stateName, state, expected, batched ? "batch, hidden_size" : "hidden_size; the input is unbatched");
      return batched ? state : state.unsqueeze(0);
    });
    const next = step(linear(x, this.weight_ih, this.bias_ih), states, this.weights);
    return batched ? next : next.map((s) => s.squeeze(0));
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih === null ? ", bias=False" : ""}`;
  }
}
