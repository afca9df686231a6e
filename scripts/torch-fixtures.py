"""Writes the PyTorch reference fixtures that gradschool's tests compare against.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-fixtures.py

It writes JSON files under test/fixtures/torch/. The tests only read them: no
test ever runs Python.

- format.json: how PyTorch prints tensors (repr), for test/core/format.test.ts.
- elementwise.json, reductions.json, shape.json, linalg.json, views.json: one
  entry per op case, for test/core/torch-reference.test.ts. Each entry holds
  float64 inputs, the forward outputs, an "upstream" gradient for every float
  output, and the gradients of sum(output * upstream) with respect to every
  float input. Some cases also have a "/float32" twin: the same inputs rounded
  to float32, and the float32 forward outputs (no gradients).

Inputs are drawn from a seeded generator and rounded to 3 decimals, so that the
JSON stays small and both PyTorch and JavaScript read exactly the same doubles.
"""

import json
import math
import pathlib
import struct

import torch
import torch.nn.functional as F

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch"
GEN = torch.Generator().manual_seed(20240601)

# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

# The kinks of relu, abs, hardtanh and friends: "any" inputs stay away from them,
# so that PyTorch's choice of subgradient never matters.
KINKS = (-1.0, 0.0, 1.0)


def rounded(t):
    """Rounds to 3 decimals: short in JSON, and the same double on both sides."""
    return torch.round(t * 1000) / 1000


def randn(*shape, domain="any"):
    """Float64 test values.

    domain "any": N(0, 1), at least 0.01 away from -1, 0 and 1;
    "positive": uniform in [0.5, 2]; "unit": uniform in [-0.9, 0.9], away from 0.
    """
    if domain == "positive":
        return rounded(0.5 + 1.5 * torch.rand(shape, generator=GEN, dtype=torch.float64))
    if domain == "unit":
        values = rounded(-0.9 + 1.8 * torch.rand(shape, generator=GEN, dtype=torch.float64))
        return torch.where(values.abs() < 0.01, torch.full_like(values, 0.5), values)
    values = rounded(torch.randn(shape, generator=GEN, dtype=torch.float64))
    while True:
        too_close = torch.zeros(shape, dtype=torch.bool)
        for kink in KINKS:
            too_close |= (values - kink).abs() < 0.01
        if not too_close.any():
            return values
        redrawn = rounded(torch.randn(shape, generator=GEN, dtype=torch.float64))
        values = torch.where(too_close, redrawn, values)


def bools(*shape):
    return torch.rand(shape, generator=GEN) < 0.5


def indices(high, *shape):
    return torch.randint(0, high, shape, generator=GEN)


def distinct_randn(*shape):
    """Like randn, without repeated values: max, min and argmax are compared where no tie-breaking rule matters."""
    values = randn(*shape).flatten()
    seen = set()
    for i in range(len(values)):
        while values[i].item() in seen:
            values[i] = randn(1)[0]
        seen.add(values[i].item())
    return values.reshape(shape)


def no_ties(a, b):
    """Checks that maximum/minimum never compare equal values (where the gradient is split)."""
    assert not (a == b).any(), "inputs have ties: change the seed"
    return [a, b]


# ---------------------------------------------------------------------------
# The ops: fixture op name -> how PyTorch computes it.
# x is the list of input tensors, a the arguments (named as gradschool names them).
# The same names appear in the table of test/core/torch-reference.test.ts,
# which says how gradschool computes them.
# ---------------------------------------------------------------------------


def view_chain(t, steps):
    """Applies a list of view steps such as ["transpose", 0, 1] or ["slice", dim, start, end, step]."""
    for name, *params in steps:
        if name == "slice":
            dim, start, end, step = params
            t = t[(slice(None),) * (dim % t.dim()) + (slice(start, end, step),)]
        elif name in ("reshape", "expand", "permute"):
            t = getattr(t, name)(*params[0])
        else:  # transpose, unsqueeze, squeeze, flatten, narrow, select, contiguous
            t = getattr(t, name)(*params)
    return t


def variance_options(a):
    """var and std take either correction (default 1) or the older unbiased flag."""
    options = {"keepdim": a.get("keepdim", False)}
    if "unbiased" in a:
        options["unbiased"] = a["unbiased"]
    else:
        options["correction"] = a.get("correction", 1)
    return options


OPS = {
    # arithmetic
    "add": lambda x, a: torch.add(x[0], x[1], alpha=a.get("alpha", 1)),
    "sub": lambda x, a: torch.sub(x[0], x[1], alpha=a.get("alpha", 1)),
    "mul": lambda x, a: torch.mul(x[0], x[1]),
    "div": lambda x, a: torch.div(x[0], x[1]),
    "neg": lambda x, a: torch.neg(x[0]),
    "pow": lambda x, a: torch.pow(x[0], x[1]),
    "pow.scalarExponent": lambda x, a: torch.pow(x[0], a["exponent"]),
    "pow.scalarBase": lambda x, a: torch.pow(a["base"], x[0]),
    "maximum": lambda x, a: torch.maximum(x[0], x[1]),
    "minimum": lambda x, a: torch.minimum(x[0], x[1]),
    "clamp": lambda x, a: torch.clamp(x[0], a.get("min"), a.get("max")),
    "clamp.tensorBounds": lambda x, a: torch.clamp(x[0], x[1], x[2]),
    "where": lambda x, a: torch.where(x[0], x[1], x[2]),
    # elementwise maths
    "exp": lambda x, a: torch.exp(x[0]),
    "log": lambda x, a: torch.log(x[0]),
    "sqrt": lambda x, a: torch.sqrt(x[0]),
    "rsqrt": lambda x, a: torch.rsqrt(x[0]),
    "reciprocal": lambda x, a: torch.reciprocal(x[0]),
    "square": lambda x, a: torch.square(x[0]),
    "abs": lambda x, a: torch.abs(x[0]),
    "sin": lambda x, a: torch.sin(x[0]),
    "cos": lambda x, a: torch.cos(x[0]),
    "log1p": lambda x, a: torch.log1p(x[0]),
    "expm1": lambda x, a: torch.expm1(x[0]),
    "tanh": lambda x, a: torch.tanh(x[0]),
    "sigmoid": lambda x, a: torch.sigmoid(x[0]),
    # activations
    "relu": lambda x, a: F.relu(x[0]),
    "leakyRelu": lambda x, a: F.leaky_relu(x[0], a.get("negativeSlope", 0.01)),
    "elu": lambda x, a: F.elu(x[0], a.get("alpha", 1.0)),
    "gelu": lambda x, a: F.gelu(x[0], approximate=a.get("approximate", "none")),
    "silu": lambda x, a: F.silu(x[0]),
    "softplus": lambda x, a: F.softplus(x[0], beta=a.get("beta", 1), threshold=a.get("threshold", 20)),
    "hardtanh": lambda x, a: F.hardtanh(x[0], a.get("minVal", -1.0), a.get("maxVal", 1.0)),
    # reductions (dim absent or null: all dims)
    "sum": lambda x, a: torch.sum(x[0], a["dim"], keepdim=a.get("keepdim", False)) if a.get("dim") is not None else torch.sum(x[0]),
    "mean": lambda x, a: torch.mean(x[0], a["dim"], keepdim=a.get("keepdim", False)) if a.get("dim") is not None else torch.mean(x[0]),
    "amax": lambda x, a: torch.amax(x[0], a.get("dim") if a.get("dim") is not None else [], keepdim=a.get("keepdim", False)),
    "amin": lambda x, a: torch.amin(x[0], a.get("dim") if a.get("dim") is not None else [], keepdim=a.get("keepdim", False)),
    "max": lambda x, a: torch.max(x[0]),
    "min": lambda x, a: torch.min(x[0]),
    "max.dim": lambda x, a: tuple(torch.max(x[0], a["dim"], keepdim=a.get("keepdim", False))),
    "min.dim": lambda x, a: tuple(torch.min(x[0], a["dim"], keepdim=a.get("keepdim", False))),
    "argmax": lambda x, a: torch.argmax(x[0], a.get("dim"), keepdim=a.get("keepdim", False)),
    "argmin": lambda x, a: torch.argmin(x[0], a.get("dim"), keepdim=a.get("keepdim", False)),
    "var": lambda x, a: torch.var(x[0], a.get("dim"), **variance_options(a)),
    "std": lambda x, a: torch.std(x[0], a.get("dim"), **variance_options(a)),
    "logsumexp": lambda x, a: torch.logsumexp(x[0], a["dim"], keepdim=a.get("keepdim", False)),
    "softmax": lambda x, a: torch.softmax(x[0], a["dim"]),
    "logSoftmax": lambda x, a: torch.log_softmax(x[0], a["dim"]),
    # joining, splitting, indexing
    "cat": lambda x, a: torch.cat(x, a.get("dim", 0)),
    "stack": lambda x, a: torch.stack(x, a.get("dim", 0)),
    "split": lambda x, a: torch.split(x[0], a["splitSizeOrSections"], a.get("dim", 0)),
    "chunk": lambda x, a: torch.chunk(x[0], a["chunks"], a.get("dim", 0)),
    "indexSelect": lambda x, a: torch.index_select(x[0], a["dim"], x[1]),
    "gather": lambda x, a: torch.gather(x[0], a["dim"], x[1]),
    "pad": lambda x, a: F.pad(x[0], a["pad"], value=a.get("value", 0.0)),
    "repeat": lambda x, a: x[0].repeat(*a["sizes"]),
    # linear algebra
    "matmul": lambda x, a: torch.matmul(x[0], x[1]),
    "matmul.transposedLeft": lambda x, a: torch.matmul(x[0].transpose(-2, -1), x[1]),
    "mm": lambda x, a: torch.mm(x[0], x[1]),
    "bmm": lambda x, a: torch.bmm(x[0], x[1]),
    "mv": lambda x, a: torch.mv(x[0], x[1]),
    "dot": lambda x, a: torch.dot(x[0], x[1]),
    "outer": lambda x, a: torch.outer(x[0], x[1]),
    # chains of views
    "viewChain": lambda x, a: view_chain(x[0], a["steps"]),
}

# ---------------------------------------------------------------------------
# Recording one case
# ---------------------------------------------------------------------------

DTYPE_NAMES = {
    torch.float64: "float64",
    torch.float32: "float32",
    torch.int64: "int32",  # PyTorch's indices are int64; gradschool's are int32
    torch.int32: "int32",
    torch.bool: "bool",
}


def shortest_float32(v):
    """The shortest decimal that reads back as the same float32 (0.433, not 0.43299999833106995)."""
    for digits in range(1, 10):
        candidate = float(f"{v:.{digits}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == v:
            return candidate
    raise AssertionError(f"{v} is not a float32 value")


def number(v, dtype, exact):
    """A value for JSON. Inexact float64 keeps 13 significant digits: far below the tests' tolerance."""
    if dtype == torch.bool:
        return bool(v)
    if not dtype.is_floating_point:
        return int(v)
    assert math.isfinite(v), "fixtures hold finite numbers only"
    if dtype == torch.float32:
        return shortest_float32(v)
    return v if exact else float(f"{v:.13g}")


def encode(t, exact=False):
    """A tensor as {shape, dtype, values} with row-major values. Inputs and upstream gradients are written exactly."""
    values = [number(v, t.dtype, exact) for v in t.detach().flatten().tolist()]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "values": values}


def as_list(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def record(name, op, inputs, args, with_grads=True):
    """Runs OPS[op] and returns the fixture entry."""
    inputs = [t.clone().requires_grad_(with_grads and t.is_floating_point()) for t in inputs]
    outputs = as_list(OPS[op](inputs, args))
    entry = {"name": name, "op": op, "args": args, "inputs": [encode(t, exact=True) for t in inputs],
             "outputs": [encode(t) for t in outputs]}
    if not with_grads or not any(t.is_floating_point() for t in outputs):
        return entry
    upstream = [rounded(torch.randn(t.shape, generator=GEN, dtype=torch.float64)) if t.is_floating_point() else None
                for t in outputs]
    loss = sum((t * u).sum() for t, u in zip(outputs, upstream) if u is not None)
    loss.backward()
    entry["upstream"] = [None if u is None else encode(u, exact=True) for u in upstream]
    for t in inputs:
        assert not t.is_floating_point() or t.grad is not None, f"{name}: an input got no gradient"
    entry["grads"] = [encode(t.grad) if t.is_floating_point() else None for t in inputs]
    return entry


class Fixtures:
    """Collects the entries of one fixture file."""

    def __init__(self, file_name):
        self.file_name = file_name
        self.entries = []

    def case(self, name, op, inputs, args=None, float32=False):
        """One op case; float32=True adds a float32 forward twin named name + "/float32"."""
        args = args or {}
        self.entries.append(record(name, op, inputs, args))
        if float32:
            singles = [t.float() if t.dtype == torch.float64 else t for t in inputs]
            self.entries.append(record(name + "/float32", op, singles, args, with_grads=False))

    def write(self):
        write_json(self.file_name, self.entries)


def write_json(file_name, entries):
    """One entry per line: small files and readable diffs."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    text = "[\n" + ",\n".join(json.dumps(e, allow_nan=False) for e in entries) + "\n]\n"
    (OUT_DIR / file_name).write_text(text)
    print(f"{file_name}: {len(entries)} entries, {len(text) // 1024} KB")


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------


def elementwise_cases():
    f = Fixtures("elementwise.json")
    f.case("add/same shape", "add", [randn(3, 4), randn(3, 4)], float32=True)
    f.case("add/broadcast", "add", [randn(3, 1), randn(1, 4)])
    f.case("add/alpha", "add", [randn(2, 3, 4), randn(4)], {"alpha": 2.5})
    f.case("sub/alpha", "sub", [randn(3, 4), randn(3, 4)], {"alpha": -1.5})
    f.case("sub/broadcast", "sub", [randn(2, 1, 3), randn(4, 1)])
    f.case("mul/broadcast", "mul", [randn(2, 3, 4), randn(3, 1)], float32=True)
    f.case("div/same shape", "div", [randn(3, 4), randn(3, 4, domain="positive")], float32=True)
    f.case("div/broadcast", "div", [randn(3, 1), randn(4)])
    f.case("neg", "neg", [randn(2, 3)])
    f.case("pow/negative base, integer exponent 3", "pow.scalarExponent", [randn(3, 4)], {"exponent": 3})
    f.case("pow/negative base, integer exponent -2", "pow.scalarExponent", [randn(3, 4)], {"exponent": -2})
    f.case("pow/fractional exponent", "pow.scalarExponent", [randn(3, 4, domain="positive")], {"exponent": 2.5}, float32=True)
    f.case("pow/tensor ^ tensor", "pow", [randn(3, 4, domain="positive"), randn(3, 4)])
    f.case("pow/tensor ^ tensor broadcast", "pow", [randn(3, 1, domain="positive"), randn(1, 4)])
    f.case("pow/scalar ^ tensor", "pow.scalarBase", [randn(3, 4)], {"base": 2.5})
    f.case("maximum", "maximum", no_ties(randn(3, 4), randn(3, 4)))
    f.case("maximum/broadcast", "maximum", no_ties(randn(3, 1), randn(1, 4)))
    f.case("minimum", "minimum", no_ties(randn(3, 4), randn(3, 4)))
    f.case("clamp/scalar bounds", "clamp", [randn(3, 4)], {"min": -0.5025, "max": 0.4975})
    f.case("clamp/min only", "clamp", [randn(3, 4)], {"min": 0.1005})
    f.case("clamp/max only", "clamp", [randn(3, 4)], {"max": -0.2005})
    f.case("clamp/tensor bounds", "clamp.tensorBounds",
           [randn(3, 4), -randn(1, 4).abs() - 0.2005, randn(3, 1).abs() + 0.2005])
    # With lo > hi every result is hi, and hi alone gets the gradient.
    f.case("clamp/tensor bounds crossing (lo > hi)", "clamp.tensorBounds",
           [randn(2, 3), randn(1, 3).abs() + 0.2005, -randn(2, 1).abs() - 0.2005])
    f.case("where", "where", [bools(3, 4), randn(3, 4), randn(3, 4)])
    f.case("where/broadcast", "where", [bools(3, 1), randn(1, 4), randn(3, 4)])
    any_values, positive, unit = randn(3, 4), randn(3, 4, domain="positive"), randn(3, 4, domain="unit")
    for op, x, float32 in [
        ("exp", any_values, True), ("log", positive, True), ("sqrt", positive, True), ("rsqrt", positive, False),
        ("reciprocal", randn(3, 4), False), ("square", randn(3, 4), False), ("abs", randn(3, 4), False),
        ("sin", randn(3, 4), True), ("cos", randn(3, 4), False), ("log1p", unit, True), ("expm1", randn(3, 4), True),
        ("tanh", randn(3, 4), True), ("sigmoid", randn(3, 4), True),
    ]:
        f.case(op, op, [x], float32=float32)
    f.case("relu", "relu", [randn(3, 4)])
    f.case("leakyRelu/default slope", "leakyRelu", [randn(3, 4)])
    f.case("leakyRelu/slope 0.2", "leakyRelu", [randn(3, 4)], {"negativeSlope": 0.2})
    f.case("elu/default alpha", "elu", [randn(3, 4)], float32=True)
    f.case("elu/alpha 0.5", "elu", [randn(3, 4)], {"alpha": 0.5})
    f.case("gelu/exact", "gelu", [randn(3, 4) * 2], float32=True)
    f.case("gelu/tanh", "gelu", [randn(3, 4) * 2], {"approximate": "tanh"}, float32=True)
    f.case("silu", "silu", [randn(3, 4)], float32=True)
    f.case("softplus/default", "softplus", [randn(3, 4) * 3], float32=True)
    f.case("softplus/beta 2, threshold 1 (linear above)", "softplus", [randn(3, 4)], {"beta": 2, "threshold": 1})
    f.case("hardtanh/default", "hardtanh", [randn(3, 4) * 1.5])
    f.case("hardtanh/min -0.5 max 2", "hardtanh", [randn(3, 4) * 1.5 + 0.0005], {"minVal": -0.5, "maxVal": 2.0})
    f.write()


def reduction_cases():
    f = Fixtures("reductions.json")
    x = distinct_randn(3, 4, 5)
    for dim, keepdim in [(None, False), (1, False), ([0, 2], True), (-1, True)]:
        label = f"dim {dim}{', keepdim' if keepdim else ''}"
        args = {"dim": dim, "keepdim": keepdim}
        f.case(f"sum/{label}", "sum", [randn(3, 4, 5)], args, float32=dim is None)
        f.case(f"mean/{label}", "mean", [randn(3, 4, 5)], args, float32=dim is None)
        distinct = distinct_randn(3, 4, 5)
        f.case(f"amax/{label}", "amax", [distinct], args)
        f.case(f"amin/{label}", "amin", [distinct], args)
        f.case(f"logsumexp/{label}", "logsumexp", [randn(3, 4, 5)], {**args, "dim": dim if dim is not None else [0, 1, 2]},
               float32=dim == 1)
    f.case("max/all", "max", [x])
    f.case("min/all", "min", [x])
    for dim, keepdim in [(0, False), (2, True), (-2, False)]:
        label = f"dim {dim}{', keepdim' if keepdim else ''}"
        args = {"dim": dim, "keepdim": keepdim}
        f.case(f"max.dim/{label}", "max.dim", [x], args)
        f.case(f"min.dim/{label}", "min.dim", [x], args)
        f.case(f"argmax/{label}", "argmax", [x], args)
        f.case(f"argmin/{label}", "argmin", [x], args)
    f.case("argmax/all", "argmax", [x], {})
    f.case("argmin/all", "argmin", [x], {})
    for dim, correction, keepdim in [(None, 1, False), (1, 1, False), ([0, 2], 0, True), (-1, 2, False)]:
        label = f"dim {dim}, correction {correction}{', keepdim' if keepdim else ''}"
        args = {"dim": dim, "correction": correction, "keepdim": keepdim}
        f.case(f"var/{label}", "var", [randn(3, 4, 5)], args, float32=dim == 1)
        f.case(f"std/{label}", "std", [randn(3, 4, 5)], args, float32=dim == 1)
    f.case("var/dim 0, unbiased false", "var", [randn(4, 3)], {"dim": 0, "unbiased": False})
    f.case("std/dim 0, unbiased false", "std", [randn(4, 3)], {"dim": 0, "unbiased": False})
    for dim in [0, 1, -1]:
        f.case(f"softmax/dim {dim}", "softmax", [randn(3, 4, 5) * 2], {"dim": dim}, float32=dim == -1)
        f.case(f"logSoftmax/dim {dim}", "logSoftmax", [randn(3, 4, 5) * 2], {"dim": dim}, float32=dim == -1)
    f.write()


def shape_cases():
    f = Fixtures("shape.json")
    f.case("cat/dim 0", "cat", [randn(2, 3), randn(1, 3), randn(3, 3)], {"dim": 0})
    f.case("cat/dim -1", "cat", [randn(2, 3, 1), randn(2, 3, 2)], {"dim": -1})
    f.case("stack/dim 0", "stack", [randn(2, 3), randn(2, 3)], {"dim": 0})
    f.case("stack/dim -1", "stack", [randn(2, 3), randn(2, 3), randn(2, 3)], {"dim": -1})
    f.case("split/size 2 along dim 1", "split", [randn(3, 5)], {"splitSizeOrSections": 2, "dim": 1})
    f.case("split/sections [1, 3] along dim 0", "split", [randn(4, 2)], {"splitSizeOrSections": [1, 3], "dim": 0})
    f.case("chunk/5 rows into 3", "chunk", [randn(5, 2)], {"chunks": 3, "dim": 0})
    f.case("chunk/dim -1", "chunk", [randn(2, 6)], {"chunks": 2, "dim": -1})
    f.case("indexSelect/dim 0 with repeats", "indexSelect", [randn(4, 3), torch.tensor([2, 0, 2, 3])], {"dim": 0})
    f.case("indexSelect/dim 1", "indexSelect", [randn(2, 5), torch.tensor([4, 1])], {"dim": 1})
    f.case("gather/dim 1", "gather", [randn(3, 4), indices(4, 3, 2)], {"dim": 1})
    f.case("gather/dim 0 with repeats", "gather", [randn(3, 4), indices(3, 2, 4)], {"dim": 0})
    f.case("pad/last dim", "pad", [randn(2, 3)], {"pad": [1, 2]})
    f.case("pad/two dims with value", "pad", [randn(2, 3)], {"pad": [0, 1, 2, 1], "value": 0.5})
    f.case("pad/negative (crops)", "pad", [randn(3, 4)], {"pad": [-1, 2, 1, -2]})
    f.case("repeat/same rank", "repeat", [randn(2, 3)], {"sizes": [2, 1]})
    f.case("repeat/adds leading dims", "repeat", [randn(2, 3)], {"sizes": [2, 1, 3]})
    f.write()


def linalg_cases():
    f = Fixtures("linalg.json")
    for a, b in [
        ((4,), (4,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 3, 4), (2, 4, 5)),
        ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 2)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,)),
        ((2, 1, 3, 4), (3, 4, 2)), ((2, 2, 3, 4), (4,)),
    ]:
        f.case(f"matmul/{list(a)} @ {list(b)}", "matmul", [randn(*a), randn(*b)], float32=a == (2, 3, 4) and b == (2, 4, 5))
    f.case("matmul/medium [9, 20] @ [20, 11]", "matmul", [randn(9, 20), randn(20, 11)], float32=True)
    f.case("matmul/transposed left operand", "matmul.transposedLeft", [randn(2, 4, 3), randn(2, 4, 5)])
    f.case("mm", "mm", [randn(3, 4), randn(4, 2)], float32=True)
    f.case("bmm", "bmm", [randn(2, 3, 4), randn(2, 4, 2)])
    f.case("mv", "mv", [randn(3, 4), randn(4)])
    f.case("dot", "dot", [randn(5), randn(5)])
    f.case("outer", "outer", [randn(3), randn(4)])
    f.write()


def view_cases():
    f = Fixtures("views.json")
    chains = {
        "transpose then reshape": [["transpose", 0, 1], ["reshape", [2, 6]]],
        "permute then slice with step": [["permute", [2, 0, 1]], ["slice", 1, 0, None, 2]],
        "expand then transpose": [["unsqueeze", 0], ["expand", [3, 2, 4]], ["transpose", 0, 2]],
        "slice with step then expand": [["slice", 1, 1, 4, 2], ["unsqueeze", 1], ["expand", [3, 2, 2]]],
        "narrow, select and flatten": [["narrow", 0, 1, 2], ["select", 2, 1], ["flatten"]],
        "reshape of a permuted tensor (copies)": [["permute", [1, 0]], ["reshape", [-1]], ["slice", 0, 1, None, 3]],
        "squeeze and negative-dim slice": [["unsqueeze", -1], ["slice", -2, -3, None, 1], ["squeeze", -1]],
    }
    shapes = {
        "transpose then reshape": (3, 4), "permute then slice with step": (2, 3, 4), "expand then transpose": (2, 4),
        "slice with step then expand": (3, 5), "narrow, select and flatten": (3, 4, 2),
        "reshape of a permuted tensor (copies)": (3, 4), "squeeze and negative-dim slice": (3, 4),
    }
    for label, steps in chains.items():
        f.case(f"viewChain/{label}", "viewChain", [randn(*shapes[label])], {"steps": steps})
    f.write()


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}


def values_of(spec):
    """Explicit values ("nan", "inf", "-inf" as strings), or {"start", "step", "count"}: start + i * step."""
    if isinstance(spec, dict):
        return [spec["start"] + i * spec["step"] for i in range(spec["count"])]
    return [float(v) if isinstance(v, str) else v for v in spec]


def printed(spec):
    t = torch.tensor(values_of(spec["values"]), dtype=torch.float64).to(DTYPES[spec.get("dtype", "float32")])
    t = t.reshape(spec["shape"])
    if spec.get("requiresGrad"):
        t.requires_grad_(True)
    if "then" in spec:
        name, *operands = spec["then"]
        t = getattr(t, name)(*operands)
    return repr(t)


def format_cases():
    nan, inf = "nan", "inf"
    linear = lambda start, step, count: {"start": start, "step": step, "count": count}  # noqa: E731
    specs = [
        ("0-d fraction", {"values": [3.5], "shape": []}),
        ("0-d whole", {"values": [3], "shape": []}),
        ("0-d small negative, just above 1e-4 (fixed)", {"values": [-0.0001234], "shape": []}),
        ("0-d small negative (scientific)", {"values": [-0.00001234], "shape": []}),
        ("0-d int32", {"values": [7], "shape": [], "dtype": "int32"}),
        ("0-d bool", {"values": [1], "shape": [], "dtype": "bool"}),
        ("0-d float64", {"values": [2.25], "shape": [], "dtype": "float64"}),
        ("0-d nan", {"values": [nan], "shape": []}),
        ("whole numbers", {"values": [1, 2, 3], "shape": [3]}),
        ("fractions and negatives", {"values": [0.5, -1.25, 3.14159], "shape": [3]}),
        ("float32 rounding of 0.1", {"values": [0.1, 0.2, 0.3], "shape": [3]}),
        ("ties round to even", {"values": [0.03125, 0.09375, -0.03125], "shape": [3], "dtype": "float64"}),
        ("matrix", {"values": [1, 2, 3, 4], "shape": [2, 2]}),
        ("matrix with negatives aligned", {"values": [-100.5, 2.25, 3, -0.125], "shape": [2, 2]}),
        ("3-d", {"values": linear(-3, 0.5, 24), "shape": [2, 3, 4]}),
        ("4-d", {"values": linear(0, 1, 8), "shape": [2, 1, 2, 2]}),
        ("1x1", {"values": [5], "shape": [1, 1]}),
        ("mixed magnitudes (scientific)", {"values": [1e-5, 1, 100], "shape": [3]}),
        ("large values (scientific)", {"values": [1e9, 2.5], "shape": [2]}),
        ("whole numbers spanning over 1000x (scientific)", {"values": [1, 10000, -5], "shape": [3]}),
        ("whole numbers over 1e8", {"values": [123456789012.0, 1.0], "shape": [2], "dtype": "float64"}),
        ("value near 9.99995 rounding up in scientific", {"values": [9.99996e-5, 1.0], "shape": [2], "dtype": "float64"}),
        ("nan and infinities with fractions", {"values": [nan, inf, "-inf", 1.5], "shape": [4]}),
        ("nan with whole numbers", {"values": [nan, 1, -2], "shape": [3]}),
        ("nan in scientific", {"values": [nan, 1e-6, 1], "shape": [3]}),
        ("only nan and inf", {"values": [nan, inf], "shape": [2]}),
        ("zeros", {"values": [0, 0, 0], "shape": [3]}),
        ("negative zero", {"values": [-0.0, 1], "shape": [2]}),
        ("int32 vector", {"values": [-5, 10, 300], "shape": [3], "dtype": "int32"}),
        ("int32 matrix", {"values": [1, -20, 300, 4], "shape": [2, 2], "dtype": "int32"}),
        ("bool vector", {"values": [1, 0], "shape": [2], "dtype": "bool"}),
        ("bool matrix", {"values": [1, 0, 0, 1], "shape": [2, 2], "dtype": "bool"}),
        ("float64 vector", {"values": [1.5, -2.0], "shape": [2], "dtype": "float64"}),
        ("float64 requires grad", {"values": [1.0, 2.0], "shape": [2], "dtype": "float64", "requiresGrad": True}),
        ("requires grad matrix", {"values": [1, 2], "shape": [1, 2], "requiresGrad": True}),
        ("grad_fn of mul", {"values": [1, 2], "shape": [2], "requiresGrad": True, "then": ["mul", 2]}),
        ("grad_fn of add", {"values": [1.5, 2], "shape": [2], "requiresGrad": True, "then": ["add", 1]}),
        ("grad_fn of sub", {"values": [1.5, 2], "shape": [2], "requiresGrad": True, "then": ["sub", 0.25]}),
        ("grad_fn of div", {"values": [1, 3], "shape": [2], "requiresGrad": True, "then": ["div", 3]}),
        ("grad_fn of neg", {"values": [1, -3], "shape": [2], "requiresGrad": True, "then": ["neg"]}),
        ("grad_fn of sum (0-d)", {"values": [1, 2.5], "shape": [2], "requiresGrad": True, "then": ["sum"]}),
        ("grad_fn of mean (0-d)", {"values": [1, 2], "shape": [2], "requiresGrad": True, "then": ["mean"]}),
        ("long vector wraps", {"values": linear(0, 1.1, 30), "shape": [30]}),
        ("long vector wraps, suffix on its own line", {"values": linear(0.5, 1, 22), "shape": [22], "dtype": "float64",
                                                       "requiresGrad": True}),
        ("long int32 vector wraps", {"values": linear(-25, 3, 50), "shape": [50], "dtype": "int32"}),
        ("long bool vector wraps", {"values": [1, 0, 0] * 10, "shape": [30], "dtype": "bool"}),
        ("matrix rows wrap", {"values": linear(-1, 0.0625, 60), "shape": [3, 20]}),
        ("summarized vector", {"values": linear(0, 1, 2000), "shape": [2000]}),
        ("summarized vector of fractions", {"values": linear(0.25, 0.5, 1500), "shape": [1500]}),
        ("summarized matrix", {"values": linear(-600, 1, 1200), "shape": [40, 30]}),
        ("summarized matrix, few columns", {"values": linear(0, 0.5, 1004), "shape": [502, 2]}),
        ("summarized 3-d", {"values": linear(0, 0.001, 1200), "shape": [12, 10, 10]}),
        ("summarized int32", {"values": linear(0, 7, 1001), "shape": [1001], "dtype": "int32"}),
        ("summarized float64 requires grad", {"values": linear(1, 0.25, 1100), "shape": [11, 100], "dtype": "float64",
                                              "requiresGrad": True}),
        ("exactly 1000 elements are not summarized", {"values": linear(0, 1, 1000), "shape": [10, 100]}),
        ("empty vector", {"values": [], "shape": [0]}),
        ("empty matrix", {"values": [], "shape": [0, 3]}),
        ("empty int32", {"values": [], "shape": [0], "dtype": "int32"}),
        ("empty bool", {"values": [], "shape": [2, 0], "dtype": "bool"}),
        ("empty float64 requires grad", {"values": [], "shape": [0, 2], "dtype": "float64", "requiresGrad": True}),
    ]
    entries = [{"name": name, **spec, "repr": printed(spec)} for name, spec in specs]
    write_json("format.json", entries)


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    torch.set_printoptions(profile="default")
    format_cases()
    elementwise_cases()
    reduction_cases()
    shape_cases()
    linalg_cases()
    view_cases()
