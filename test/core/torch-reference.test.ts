// gradschool against PyTorch 1.13, op by op.
//
// Each entry of test/fixtures/torch/*.json (written by scripts/torch-fixtures.py)
// holds fixed inputs, PyTorch's outputs, an upstream gradient for each float
// output, and PyTorch's gradients of sum(output * upstream) with respect to
// each float input. Here the same op runs in gradschool (the OPS table says
// how) and both the outputs and the gradients must match.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import {
  conv1d, conv2d,
  abs, add, amax, amin, argmax, argmin, bmm, cat, chunk, clamp, cos, div, dot, elu, exp, expm1, gather, gelu, hardtanh,
  indexSelect, leakyRelu, log, log1p, logSoftmax, logsumexp, matmul, max, maximum, mean, min, minimum, mm, mul, mv, neg, outer,
  pad, pow, reciprocal, relu, repeat, rsqrt, sigmoid, silu, sin, softmax, softplus, split, sqrt, square, stack, std, sub, sum,
  tanh, tensor, variance, where, type DType, type Tensor,
} from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";

// ---- the fixtures -----------------------------------------------------------

interface EncodedTensor {
  shape: number[];
  dtype: DType;
  values: (number | boolean)[];
}

/** A step of a view chain, as in the generator: ["transpose", 0, 1], ["slice", dim, start, end, step] ... */
type ViewStep = [string, ...(number | number[] | null)[]];

/** Op arguments, named as gradschool names them. */
interface Args {
  alpha?: number;
  exponent?: number;
  base?: number;
  min?: number | null;
  max?: number | null;
  negativeSlope?: number;
  approximate?: "none" | "tanh";
  beta?: number;
  threshold?: number;
  minVal?: number;
  maxVal?: number;
  dim?: number | number[] | null;
  keepdim?: boolean;
  correction?: number;
  unbiased?: boolean;
  stride?: number | number[];
  padding?: number | number[] | "valid" | "same";
  dilation?: number | number[];
  groups?: number;
  splitSizeOrSections?: number | number[];
  chunks?: number;
  pad?: number[];
  value?: number;
  sizes?: number[];
  steps?: ViewStep[];
}

interface Fixture {
  name: string;
  op: string;
  args: Args;
  inputs: EncodedTensor[];
  outputs: EncodedTensor[];
  /** Absent for forward-only entries (float32 twins, argmax ...). */
  upstream?: (EncodedTensor | null)[];
  grads?: (EncodedTensor | null)[];
}

const FIXTURE_DIR = new URL("../fixtures/torch/", import.meta.url);

function loadFixtures(): { file: string; fixture: Fixture }[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json") && file !== "format.json")
    .sort()
    .flatMap((file) => {
      const fixtures: Fixture[] = JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8"));
      return fixtures.map((fixture) => ({ file: file.replace(/\.json$/, ""), fixture }));
    });
}

// ---- how gradschool computes each fixture op --------------------------------

/** The inputs, typed so that tables can destructure them ([x, y] = inputs). The fixture decides how many there are. */
type Inputs = [Tensor, Tensor, Tensor, ...Tensor[]];
type OpResult = Tensor | Tensor[];

/** The dim of ops that take exactly one. */
function oneDim(a: Args): number {
  if (typeof a.dim !== "number") throw new Error(`fixture: expected one dim, got ${JSON.stringify(a.dim)}`);
  return a.dim;
}

/** The dims of ops that take one, several, or none (all dims). */
function dims(a: Args): number | number[] | null {
  return a.dim ?? null;
}

function applyViewStep(t: Tensor, [name, ...params]: ViewStep): Tensor {
  const num = (i: number) => params[i] as number;
  const list = (i: number) => params[i] as number[];
  switch (name) {
    case "transpose": return t.transpose(num(0), num(1));
    case "permute": return t.permute(list(0));
    case "reshape": return t.reshape(list(0));
    case "expand": return t.expand(list(0));
    case "unsqueeze": return t.unsqueeze(num(0));
    case "squeeze": return t.squeeze(num(0));
    case "flatten": return t.flatten();
    case "narrow": return t.narrow(num(0), num(1), num(2));
    case "select": return t.select(num(0), num(1));
    case "slice": return t.slice(num(0), params[1] as number | null, params[2] as number | null, num(3));
    default: throw new Error(`fixture: unknown view step ${name}`);
  }
}

/** Fixture op name (the key of OPS in scripts/torch-fixtures.py) -> the gradschool call. */
const OPS: Record<string, (x: Inputs, a: Args) => OpResult> = {
  // arithmetic
  "add": ([x, y], a) => add(x, y, { alpha: a.alpha }),
  "sub": ([x, y], a) => sub(x, y, { alpha: a.alpha }),
  "mul": ([x, y]) => mul(x, y),
  "div": ([x, y]) => div(x, y),
  "neg": ([x]) => neg(x),
  "pow": ([x, y]) => pow(x, y),
  "pow.scalarExponent": ([x], a) => pow(x, a.exponent!),
  "pow.scalarBase": ([x], a) => pow(a.base!, x),
  "maximum": ([x, y]) => maximum(x, y),
  "minimum": ([x, y]) => minimum(x, y),
  "clamp": ([x], a) => clamp(x, a.min, a.max),
  "clamp.tensorBounds": ([x, lo, hi]) => clamp(x, lo, hi),
  "where": ([condition, x, y]) => where(condition, x, y),
  // elementwise maths
  "exp": ([x]) => exp(x),
  "log": ([x]) => log(x),
  "sqrt": ([x]) => sqrt(x),
  "rsqrt": ([x]) => rsqrt(x),
  "reciprocal": ([x]) => reciprocal(x),
  "square": ([x]) => square(x),
  "abs": ([x]) => abs(x),
  "sin": ([x]) => sin(x),
  "cos": ([x]) => cos(x),
  "log1p": ([x]) => log1p(x),
  "expm1": ([x]) => expm1(x),
  "tanh": ([x]) => tanh(x),
  "sigmoid": ([x]) => sigmoid(x),
  // activations
  "relu": ([x]) => relu(x),
  "leakyRelu": ([x], a) => leakyRelu(x, a.negativeSlope),
  "elu": ([x], a) => elu(x, a.alpha),
  "gelu": ([x], a) => gelu(x, { approximate: a.approximate }),
  "silu": ([x]) => silu(x),
  "softplus": ([x], a) => softplus(x, { beta: a.beta, threshold: a.threshold }),
  "hardtanh": ([x], a) => hardtanh(x, a.minVal, a.maxVal),
  // reductions
  "sum": ([x], a) => sum(x, dims(a), a.keepdim),
  "mean": ([x], a) => mean(x, dims(a), a.keepdim),
  "amax": ([x], a) => amax(x, dims(a), a.keepdim),
  "amin": ([x], a) => amin(x, dims(a), a.keepdim),
  "max": ([x]) => max(x),
  "min": ([x]) => min(x),
  "max.dim": ([x], a) => {
    const { values, indices } = max(x, oneDim(a), a.keepdim);
    return [values, indices];
  },
  "min.dim": ([x], a) => {
    const { values, indices } = min(x, oneDim(a), a.keepdim);
    return [values, indices];
  },
  "argmax": ([x], a) => argmax(x, a.dim === undefined || a.dim === null ? null : oneDim(a), a.keepdim),
  "argmin": ([x], a) => argmin(x, a.dim === undefined || a.dim === null ? null : oneDim(a), a.keepdim),
  "var": ([x], a) => variance(x, dims(a), { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  "std": ([x], a) => std(x, dims(a), { correction: a.correction, unbiased: a.unbiased, keepdim: a.keepdim }),
  "logsumexp": ([x], a) => logsumexp(x, dims(a) ?? [], a.keepdim),
  "softmax": ([x], a) => softmax(x, oneDim(a)),
  "logSoftmax": ([x], a) => logSoftmax(x, oneDim(a)),
  // joining, splitting, indexing
  "cat": (xs, a) => cat(xs, a.dim as number | undefined),
  "stack": (xs, a) => stack(xs, a.dim as number | undefined),
  "split": ([x], a) => split(x, a.splitSizeOrSections!, a.dim as number | undefined),
  "chunk": ([x], a) => chunk(x, a.chunks!, a.dim as number | undefined),
  "indexSelect": ([x, index], a) => indexSelect(x, oneDim(a), index),
  "gather": ([x, index], a) => gather(x, oneDim(a), index),
  "pad": ([x], a) => pad(x, a.pad!, { value: a.value }),
  "repeat": ([x], a) => repeat(x, a.sizes!),
  // linear algebra
  "matmul": ([x, y]) => matmul(x, y),
  "conv2d": ([x, w, b], a) => conv2d(x, w, b, a),
  "conv1d": ([x, w, b], a) => conv1d(x, w, b, a),
  "matmul.transposedLeft": ([x, y]) => matmul(x.transpose(-2, -1), y),
  "mm": ([x, y]) => mm(x, y),
  "bmm": ([x, y]) => bmm(x, y),
  "mv": ([x, y]) => mv(x, y),
  "dot": ([x, y]) => dot(x, y),
  "outer": ([x, y]) => outer(x, y),
  // chains of views
  "viewChain": ([x], a) => a.steps!.reduce(applyViewStep, x),
};

// ---- tolerances ---------------------------------------------------------------

interface Tolerance { atol: number; rtol: number }

/** float64 must agree to rounding error. */
const FLOAT64: Tolerance = { atol: 1e-10, rtol: 1e-8 };
/**
 * float32 forward values: gradschool computes in doubles and rounds once,
 * PyTorch computes in float32 (its vectorized exp, expm1, tanh ... are within
 * 1-2 ulp, about 1.2e-7 relative). The atol also absorbs PyTorch's float32
 * erf in the far tail: gelu(-3.262) is -0.0018046054 in PyTorch float32,
 * -0.0018043608 exactly (2.4e-7 apart, 1.4e-4 relative).
 */
const FLOAT32: Tolerance = { atol: 1e-6, rtol: 1e-6 };

function toleranceFor(dtype: DType): Tolerance {
  return dtype === "float32" ? FLOAT32 : FLOAT64;
}

// ---- running one fixture -------------------------------------------------------

function decode(encoded: EncodedTensor, requiresGrad = false): Tensor {
  return tensor(encoded.values, { shape: encoded.shape, dtype: encoded.dtype, requiresGrad });
}

function asList(result: OpResult): Tensor[] {
  return Array.isArray(result) ? result : [result];
}

function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

function assertMatches(actual: Tensor, expected: EncodedTensor, what: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  if (isFloat(expected.dtype)) {
    assertClose(actual, expected.values as number[], { ...toleranceFor(expected.dtype), message: what });
  } else {
    assert.deepEqual(actual.toTypedArray().map(Number).join(), expected.values.map(Number).join(), `${what}: values`);
  }
}

function runFixture(fixture: Fixture): void {
  const compute = OPS[fixture.op];
  assert.ok(compute, `no gradschool equivalent for fixture op "${fixture.op}": add it to OPS`);
  const withGrads = fixture.grads !== undefined;
  const inputs = fixture.inputs.map((encoded) => decode(encoded, withGrads && isFloat(encoded.dtype)));
  const outputs = asList(compute(inputs as Inputs, fixture.args));

  assert.equal(outputs.length, fixture.outputs.length, "number of outputs");
  outputs.forEach((out, i) => assertMatches(out, fixture.outputs[i]!, `output ${i}`));
  if (!withGrads) return;

  // loss = Σ sum(output_i * upstream_i): its gradient is each upstream tensor pushed back through the op.
  const terms = outputs.flatMap((out, i) => {
    const upstream = fixture.upstream?.[i];
    return upstream ? [out.mul(decode(upstream)).sum()] : [];
  });
  const loss = terms.reduce((total, term) => total.add(term));
  loss.backward();
  inputs.forEach((input, i) => {
    const expected = fixture.grads![i];
    if (!expected) return;
    assert.ok(input.grad, `input ${i} received no gradient`);
    assertMatches(input.grad, expected, `gradient of input ${i}`);
  });
}

// ---- the tests ---------------------------------------------------------------

const fixtures = loadFixtures();

test("the PyTorch fixtures are present and every op has a gradschool equivalent", () => {
  assert.ok(fixtures.length > 100, `only ${fixtures.length} fixtures found in ${FIXTURE_DIR.pathname}`);
  const unknown = [...new Set(fixtures.map(({ fixture }) => fixture.op))].filter((op) => !(op in OPS));
  assert.deepEqual(unknown, []);
});

for (const { file, fixture } of fixtures) {
  test(`matches PyTorch: ${file}: ${fixture.name}`, () => runFixture(fixture));
}
