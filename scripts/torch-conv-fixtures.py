"""Writes the PyTorch reference fixtures for gradschool's convolutions.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-conv-fixtures.py

It writes test/fixtures/torch/conv.json, read by test/core/conv.test.ts (no
test ever runs Python). The entries have the same form as those written by
scripts/torch-fixtures.py: float64 inputs (input, weight, and a bias when the
case has one), the forward output, an "upstream" gradient, and PyTorch's
gradients of sum(output * upstream) with respect to every input. "args" holds
the options as gradschool's conv2d/conv1d take them.

Inputs and upstream gradients are rounded to 3 decimals, so that both sides
read exactly the same doubles. Outputs and gradients are then sums of products
of such numbers: exact multiples of 1e-6, written exactly.

The two cases with the benchmark's shapes (at batch 1) have about 9,000 and
4,600 outputs each. They use small integers instead (inputs in -3..3), which
keeps the file under 200 KB and makes every value exact, in float32 too.
"""

import json
import pathlib
import warnings

import torch
import torch.nn.functional as F

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch" / "conv.json"
GEN = torch.Generator().manual_seed(20240602)


def decimals(*shape):
    """N(0, 1) values rounded to 3 decimals."""
    return torch.round(torch.randn(shape, generator=GEN, dtype=torch.float64) * 1000) / 1000


def small_integers(*shape):
    """Whole numbers from -3 to 3, as float64."""
    return torch.randint(-3, 4, shape, generator=GEN).to(torch.float64)


def torch_options(args):
    """gradschool's option names are PyTorch's keywords here; lists become tuples."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in args.items()}


def number(v):
    """13 significant digits: every value here is a multiple of 1e-6 far below 1e7, so this is exact.
    Whole numbers are written without a fraction (3, not 3.0): JSON reads both as the same double."""
    v = float(f"{v:.13g}")
    return int(v) if v.is_integer() else v


def encode(t):
    return {"shape": list(t.shape), "dtype": "float64", "values": [number(v) for v in t.detach().flatten().tolist()]}


def record(name, op, inputs, args, values=decimals):
    """Runs F.conv1d or F.conv2d on float64 inputs and returns the fixture entry."""
    inputs = [t.clone().requires_grad_(True) for t in inputs]
    conv = F.conv1d if op == "conv1d" else F.conv2d
    x, w, *rest = inputs
    out = conv(x, w, rest[0] if rest else None, **torch_options(args))
    upstream = values(*out.shape)
    (out * upstream).sum().backward()
    return {
        "name": name, "op": op, "args": args,
        "inputs": [encode(t) for t in inputs],
        "outputs": [encode(out)],
        "upstream": [encode(upstream)],
        "grads": [encode(t.grad) for t in inputs],
    }


def case(name, op, input_shape, weight_shape, args=None, bias=False, values=decimals):
    """One configuration; the bias, when asked for, has one value per output channel."""
    inputs = [values(*input_shape), values(*weight_shape)]
    if bias:
        inputs.append(values(weight_shape[0]))
    return record(name, op, inputs, args or {}, values)


def cases():
    return [
        # conv2d: stride, padding, dilation, groups, kernel shapes
        case("conv2d/plain", "conv2d", [2, 3, 5, 5], [4, 3, 3, 3], bias=True),
        case("conv2d/stride 2", "conv2d", [2, 2, 7, 7], [3, 2, 3, 3], {"stride": 2}, bias=True),
        case("conv2d/padding 1", "conv2d", [1, 3, 5, 5], [2, 3, 3, 3], {"padding": 1}),
        case("conv2d/padding 2, stride 2", "conv2d", [2, 2, 6, 5], [2, 2, 3, 3], {"padding": 2, "stride": 2}, bias=True),
        case("conv2d/padding same", "conv2d", [1, 2, 6, 6], [3, 2, 3, 3], {"padding": "same"}, bias=True),
        case("conv2d/padding same, even kernel", "conv2d", [1, 2, 5, 6], [2, 2, 2, 4], {"padding": "same"}),
        case("conv2d/padding same, dilation 2", "conv2d", [1, 2, 7, 7], [2, 2, 3, 2], {"padding": "same", "dilation": 2}),
        case("conv2d/padding valid", "conv2d", [1, 2, 5, 5], [2, 2, 2, 2], {"padding": "valid"}),
        case("conv2d/dilation 2", "conv2d", [1, 2, 8, 8], [3, 2, 3, 3], {"dilation": 2, "padding": 1}),
        case("conv2d/groups 2", "conv2d", [2, 4, 4, 5], [6, 2, 3, 3], {"groups": 2, "padding": 1}, bias=True),
        case("conv2d/depthwise", "conv2d", [2, 3, 6, 6], [3, 1, 3, 3], {"groups": 3, "stride": 2, "padding": 1}, bias=True),
        case("conv2d/depthwise, 2 filters per channel", "conv2d", [1, 2, 5, 5], [4, 1, 2, 2], {"groups": 2}),
        case("conv2d/non-square kernel, per-dim options", "conv2d", [2, 2, 7, 9], [3, 2, 2, 4],
             {"stride": [2, 1], "padding": [1, 2], "dilation": [1, 2]}, bias=True),
        case("conv2d/unbatched", "conv2d", [3, 5, 5], [2, 3, 3, 3], {"padding": 1}, bias=True),
        # conv1d
        case("conv1d/stride 2, padding 1", "conv1d", [2, 3, 10], [4, 3, 3], {"stride": 2, "padding": 1}, bias=True),
        case("conv1d/padding same, even kernel", "conv1d", [1, 2, 9], [3, 2, 4], {"padding": "same"}),
        case("conv1d/groups 2, dilation 2", "conv1d", [2, 4, 12], [4, 2, 3], {"groups": 2, "dilation": 2}, bias=True),
        case("conv1d/unbatched", "conv1d", [3, 8], [2, 3, 3], bias=True),
        # the benchmark's shapes, batch 1
        case("conv2d/benchmark: 1×28×28, 16 5×5 filters", "conv2d", [1, 1, 28, 28], [16, 1, 5, 5], bias=True,
             values=small_integers),
        case("conv2d/benchmark: 16×12×12, 32 3×3 filters, padding 1", "conv2d", [1, 16, 12, 12], [32, 16, 3, 3],
             {"padding": 1}, bias=True, values=small_integers),
    ]


def write_json(entries):
    """One entry per line, without spaces after separators: a small file and readable diffs."""
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    text = "[\n" + ",\n".join(json.dumps(e, allow_nan=False, separators=(",", ":"), ensure_ascii=False) for e in entries) + "\n]\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"{OUT_FILE.name}: {len(entries)} entries, {len(text.encode('utf-8')) // 1024} KB")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    # PyTorch warns that "same" with an even kernel pads a copy of the input: expected here.
    warnings.filterwarnings("ignore", message="Using padding='same'")
    write_json(cases())
