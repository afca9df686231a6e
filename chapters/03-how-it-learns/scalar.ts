// Autograd on single numbers: the whole idea of backpropagation in one small file.
//
// A Scalar holds a number (`data`) and remembers how it was made: the Scalars
// it came from (`inputs`) and, for each of them, the local derivative
// ∂(this)/∂(input), computed once, when the forward pass makes the value.
// backward() then applies the chain rule from the output back to the leaves:
//
//   input.grad += ∂(this)/∂(input) · this.grad        (summed over every path)
//
// visiting each Scalar only after every Scalar that uses it (reverse
// topological order), so its grad is complete before it is passed on.
// The tensor engine in src/core does exactly this, with arrays instead of numbers.

export type ScalarLike = Scalar | number;

export class Scalar {
  /** ∂(output)/∂(this), filled by output.backward(). */
  grad = 0;

  constructor(
    /** The value; gradient descent changes it in place for weights. */
    public data: number,
    /** The Scalars this one was computed from (none for an input or a weight). */
    readonly inputs: readonly Scalar[] = [],
    /** ∂(this)/∂(inputs[i]), one per input. */
    readonly localGradients: readonly number[] = [],
    /** The operation that made it, e.g. "*" or "tanh" (for drawing the graph). */
    readonly op = "",
    /** An optional name, e.g. "w1" (for drawing the graph). */
    public label = "",
  ) {
    if (inputs.length !== localGradients.length) throw new Error(`Scalar: ${inputs.length} inputs but ${localGradients.length} local gradients`);
  }

  // ---- the operations: the value, and the local derivative of each input ----

  /** a + b: ∂/∂a = 1, ∂/∂b = 1. */
  add(other: ScalarLike): Scalar {
    const b = toScalar(other);
    return new Scalar(this.data + b.data, [this, b], [1, 1], "+");
  }

  /** a · b: ∂/∂a = b, ∂/∂b = a. */
  mul(other: ScalarLike): Scalar {
    const b = toScalar(other);
    return new Scalar(this.data * b.data, [this, b], [b.data, this.data], "*");
  }

  /** aⁿ for a constant n: ∂/∂a = n·aⁿ⁻¹. */
  pow(exponent: number): Scalar {
    return new Scalar(this.data ** exponent, [this], [exponent * this.data ** (exponent - 1)], `^${exponent}`);
  }

  /** −a: ∂/∂a = −1. */
  neg(): Scalar {
    return new Scalar(-this.data, [this], [-1], "neg");
  }

  /** a − b = a + (−b). */
  sub(other: ScalarLike): Scalar {
    return this.add(toScalar(other).neg());
  }

  /** a / b = a · b⁻¹. */
  div(other: ScalarLike): Scalar {
    return this.mul(toScalar(other).pow(-1));
  }

  /** tanh a: ∂/∂a = 1 − tanh² a. */
  tanh(): Scalar {
    const t = Math.tanh(this.data);
    return new Scalar(t, [this], [1 - t * t], "tanh");
  }

  /** max(0, a): ∂/∂a = 1 where a > 0, else 0. */
  relu(): Scalar {
    return new Scalar(Math.max(0, this.data), [this], [this.data > 0 ? 1 : 0], "relu");
  }

  /** eᵃ: ∂/∂a = eᵃ. */
  exp(): Scalar {
    const e = Math.exp(this.data);
    return new Scalar(e, [this], [e], "exp");
  }

  /** ln a: ∂/∂a = 1/a. */
  log(): Scalar {
    if (!(this.data > 0)) throw new RangeError(`Scalar.log: needs a positive number, got ${this.data}`);
    return new Scalar(Math.log(this.data), [this], [1 / this.data], "log");
  }

  // ---- backpropagation ----

  /** Every Scalar this one depends on, each after all of its inputs (a topological order), ending with this one. */
  topologicalOrder(): Scalar[] {
    const order: Scalar[] = [];
    const visited = new Set<Scalar>();
    // An explicit stack instead of recursion, so deep graphs cannot overflow the call stack.
    const stack: [Scalar, boolean][] = [[this, false]];
    while (stack.length > 0) {
      const [node, inputsDone] = stack.pop()!;
      if (inputsDone) {
        order.push(node);
        continue;
      }
      if (visited.has(node)) continue;
      visited.add(node);
      stack.push([node, true]);
      for (const input of node.inputs) if (!visited.has(input)) stack.push([input, false]);
    }
    return order;
  }

  /** Fills .grad of every Scalar this one depends on with ∂(this)/∂(that Scalar). Grads add up: zero them between steps. */
  backward(): void {
    const order = this.topologicalOrder();
    this.grad = 1; // ∂(this)/∂(this)
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      node.inputs.forEach((input, j) => {
        input.grad += node.localGradients[j]! * node.grad; // the chain rule, one edge at a time
      });
    }
  }

  toString(): string {
    return `Scalar(data=${this.data}, grad=${this.grad})`;
  }
}

/** Wraps a plain number as a constant Scalar. */
export function toScalar(value: ScalarLike): Scalar {
  return value instanceof Scalar ? value : new Scalar(value);
}

/** Σ values, as one chain of additions. */
export function sum(values: readonly Scalar[]): Scalar {
  return values.reduce((total, v) => total.add(v), new Scalar(0));
}
