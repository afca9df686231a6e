"""Writes the PyTorch reference fixtures for gradschool's basic nn layers.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-layers.py

It writes test/fixtures/torch-nn/layers.json, read by the tests in test/nn/
(no test ever runs Python). The file holds two lists.

"layers": one entry per layer configuration. Each layer is built in float64
after torch.manual_seed, and the entry holds the constructor's arguments as
gradschool takes them ("args" positional, "options" the trailing object), its
repr, its state dict, the inputs, the output, an "upstream" gradient, and
PyTorch's gradients of sum(output * upstream) with respect to the inputs and
every parameter. "forward" holds extra forward arguments (ConvTranspose's
output size).

"functional": F.pad and F.embedding cases in the same form, with "fn" and
"options" instead of a layer.

Inputs and upstream gradients are rounded to 3 decimals so that both sides
read exactly the same doubles.
"""

import json
import pathlib
import re
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn" / "layers.json"
GEN = torch.Generator().manual_seed(20240611)


def decimals(*shape):
    """N(0, 1) values rounded to 3 decimals, in float64."""
    return torch.round(torch.randn(shape, generator=GEN, dtype=torch.float64) * 1000) / 1000


def indices(high, *shape):
    return torch.randint(0, high, shape, generator=GEN)


def snake(name):
    """gradschool's option names are PyTorch's keywords in camelCase."""
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_kwargs(options):
    return {snake(key): tuple(value) if isinstance(value, list) else value for key, value in options.items()}


def encode(t):
    dtype = "float64" if t.dtype.is_floating_point else "int32"
    return {"shape": list(t.shape), "dtype": dtype, "values": t.detach().flatten().tolist()}


def layer_case(name, cls, args, options, inputs, forward=None):
    """Builds cls(*args, **options) in float64 and records its forward and backward on `inputs`."""
    torch.manual_seed(0)
    layer = getattr(nn, cls)(*[tuple(a) if isinstance(a, list) else a for a in args], **torch_kwargs(options)).double()
    inputs = [t.clone().requires_grad_(t.dtype.is_floating_point) for t in inputs]
    out = layer(*inputs, **torch_kwargs(forward or {}))
    upstream = decimals(*out.shape)
    (out * upstream).sum().backward()
    return {
        "name": name, "layer": cls, "args": args, "options": options, "forward": forward or {},
        "repr": repr(layer),
        "state": {key: encode(value) for key, value in layer.state_dict().items()},
        "inputs": [encode(t) for t in inputs],
        "output": encode(out),
        "upstream": encode(upstream),
        "inputGrads": [encode(t.grad) if t.grad is not None else None for t in inputs],
        "paramGrads": {key: encode(p.grad) for key, p in layer.named_parameters() if p.grad is not None},
    }


def functional_case(name, fn, inputs, options):
    """F.pad(x, pad, mode=..., value=...) or F.embedding(indices, weight, padding_idx=...)."""
    inputs = [t.clone().requires_grad_(t.dtype.is_floating_point) for t in inputs]
    if fn == "pad":
        out = F.pad(inputs[0], options["pad"], mode=options.get("mode", "constant"),
                    **({"value": options["value"]} if "value" in options else {}))
    else:
        out = F.embedding(inputs[0], inputs[1], padding_idx=options.get("paddingIdx"))
    upstream = decimals(*out.shape)
    (out * upstream).sum().backward()
    return {
        "name": name, "fn": fn, "options": options,
        "inputs": [encode(t) for t in inputs],
        "output": encode(out),
        "upstream": encode(upstream),
        "inputGrads": [encode(t.grad) if t.grad is not None else None for t in inputs],
    }


def layer_cases():
    x = decimals
    return [
        # fully connected and reshaping layers
        layer_case("Linear", "Linear", [4, 3], {}, [x(2, 5, 4)]),
        layer_case("Linear without bias", "Linear", [4, 3], {"bias": False}, [x(3, 4)]),
        layer_case("Bilinear", "Bilinear", [3, 4, 2], {}, [x(5, 3), x(5, 4)]),
        layer_case("Bilinear without bias, 3-D inputs", "Bilinear", [3, 2, 4], {"bias": False}, [x(2, 3, 3), x(2, 3, 2)]),
        layer_case("Identity", "Identity", [], {}, [x(2, 3)]),
        layer_case("Flatten", "Flatten", [], {}, [x(2, 3, 2, 2)]),
        layer_case("Flatten 0..-2", "Flatten", [0, -2], {}, [x(2, 3, 2)]),
        layer_case("Unflatten", "Unflatten", [1, [2, 3]], {}, [x(2, 6, 2)]),
        # convolutions
        layer_case("Conv1d", "Conv1d", [3, 4, 3], {}, [x(2, 3, 7)]),
        layer_case("Conv1d stride 2, padding 1, dilation 2, groups 2", "Conv1d", [4, 6, 3],
                   {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, [x(2, 4, 11)]),
        layer_case("Conv1d padding same, even kernel", "Conv1d", [2, 3, 4], {"padding": "same"}, [x(1, 2, 9)]),
        layer_case("Conv2d LeNet-style", "Conv2d", [1, 6, 5], {}, [x(1, 1, 8, 8)]),
        layer_case("Conv2d per-dim options, groups 2, no bias", "Conv2d", [4, 6, [3, 2]],
                   {"stride": [2, 1], "padding": [1, 0], "dilation": [1, 2], "groups": 2, "bias": False}, [x(2, 4, 6, 7)]),
        layer_case("Conv2d padding same, dilation 2", "Conv2d", [2, 3, 3], {"padding": "same", "dilation": 2}, [x(1, 2, 6, 5)]),
        layer_case("Conv2d padding valid", "Conv2d", [2, 4, [2, 3]], {"padding": "valid"}, [x(2, 2, 4, 5)]),
        layer_case("Conv2d unbatched", "Conv2d", [3, 2, 3], {"padding": 1}, [x(3, 4, 4)]),
        layer_case("ConvTranspose2d", "ConvTranspose2d", [2, 3, 3], {}, [x(2, 2, 3, 4)]),
        layer_case("ConvTranspose2d stride 2, padding 1, outputPadding 1", "ConvTranspose2d", [3, 2, 3],
                   {"stride": 2, "padding": 1, "outputPadding": 1}, [x(2, 3, 3, 3)]),
        layer_case("ConvTranspose2d groups 2", "ConvTranspose2d", [4, 6, 3], {"groups": 2}, [x(1, 4, 3, 3)]),
        layer_case("ConvTranspose2d dilation 2", "ConvTranspose2d", [2, 2, 3], {"dilation": 2}, [x(1, 2, 3, 3)]),
        layer_case("ConvTranspose2d stride 2, padding 1, outputPadding 1, groups 2, dilation 2, no bias", "ConvTranspose2d",
                   [4, 2, [3, 2]], {"stride": 2, "padding": 1, "outputPadding": 1, "groups": 2, "dilation": 2, "bias": False},
                   [x(2, 4, 3, 4)]),
        layer_case("ConvTranspose2d outputPadding 2 > stride 1, below dilation 3", "ConvTranspose2d", [2, 3, 2],
                   {"dilation": 3, "outputPadding": 2}, [x(1, 2, 3, 3)]),
        layer_case("ConvTranspose2d per-dim stride and padding", "ConvTranspose2d", [2, 2, [2, 3]],
                   {"stride": [3, 2], "padding": [0, 1], "outputPadding": [2, 0]}, [x(1, 2, 3, 2)]),
        layer_case("ConvTranspose2d unbatched", "ConvTranspose2d", [2, 3, 2], {"stride": 2}, [x(2, 3, 3)]),
        layer_case("ConvTranspose2d with outputSize", "ConvTranspose2d", [2, 2, 3], {"stride": 3, "padding": 1},
                   [x(1, 2, 3, 3)], forward={"outputSize": [8, 9]}),
        layer_case("ConvTranspose1d stride 2, padding 1, outputPadding 1", "ConvTranspose1d", [3, 2, 3],
                   {"stride": 2, "padding": 1, "outputPadding": 1}, [x(2, 3, 5)]),
        # activations (inputs spread over [-3, 3], away from the kinks)
        *[layer_case(name, cls, args, options, [x(3, 5) * 1.5])
          for name, cls, args, options in [
              ("ReLU", "ReLU", [], {}), ("GELU", "GELU", [], {}), ("GELU tanh", "GELU", [], {"approximate": "tanh"}),
              ("SiLU", "SiLU", [], {}), ("Tanh", "Tanh", [], {}), ("Sigmoid", "Sigmoid", [], {}),
              ("Softmax dim 0", "Softmax", [0], {}), ("Softmax dim 1", "Softmax", [1], {}),
              ("LogSoftmax dim -1", "LogSoftmax", [-1], {}), ("LeakyReLU", "LeakyReLU", [], {}),
              ("LeakyReLU 0.2", "LeakyReLU", [0.2], {}), ("ELU", "ELU", [], {}), ("ELU 0.7", "ELU", [0.7], {}),
              ("Softplus", "Softplus", [], {}), ("Softplus beta 2, threshold 3", "Softplus", [], {"beta": 2, "threshold": 3}),
              ("Hardtanh", "Hardtanh", [], {}), ("Hardtanh -0.5, 1.5", "Hardtanh", [-0.5, 1.5], {}),
          ]],
        # embeddings
        layer_case("Embedding", "Embedding", [10, 3], {}, [indices(10, 2, 4)]),
        layer_case("Embedding paddingIdx -2", "Embedding", [10, 3], {"paddingIdx": -2},
                   [torch.tensor([[8, 1, 8], [3, 8, 1]])]),
        layer_case("Embedding paddingIdx 0, 1-D indices", "Embedding", [6, 4], {"paddingIdx": 0}, [torch.tensor([0, 5, 2, 0, 2])]),
    ]


def functional_cases():
    x = decimals
    pads = [
        ("constant", [2, 3], [1, 2], {}),
        ("constant value 1.5, cropping", [2, 3, 4], [-1, 1, 2, 0], {"value": 1.5}),
        ("reflect 1-D", [2, 4], [2, 3], {}),
        ("reflect 2-D", [1, 2, 3, 4], [1, 2, 2, 1], {}),
        ("reflect 3-D", [1, 1, 3, 3, 4], [1, 1, 2, 0, 1, 2], {}),
        ("reflect unbatched 2-D", [2, 3, 4], [3, 0, 1, 2], {}),
        ("reflect cropping", [1, 2, 5], [-2, 3], {}),
        ("replicate 1-D", [2, 3, 4], [3, 1], {}),
        ("replicate 2-D", [1, 2, 3, 3], [2, 0, 4, 1], {}),
        ("replicate 3-D unbatched", [2, 2, 3, 2], [1, 1, 0, 2, 1, 0], {}),
        ("replicate cropping", [1, 1, 4], [1, -2], {}),
        ("circular 1-D", [2, 2, 4], [2, 4], {}),
        ("circular 2-D", [1, 2, 3, 4], [1, 3, 3, 2], {}),
        ("circular 3-D", [1, 1, 2, 3, 3], [1, 0, 0, 2, 2, 1], {}),
        ("circular cropping one side", [1, 1, 5], [-1, 3], {}),
    ]
    entries = [functional_case(f"pad {name}", "pad", [x(*shape)], {"pad": pad, **({"mode": name.split()[0]}
                                                                                   if name.split()[0] != "constant" else {}), **extra})
               for name, shape, pad, extra in pads]
    entries.append(functional_case("embedding paddingIdx 2 (a nonzero padding row)", "embedding",
                                   [torch.tensor([[2, 0], [2, 4], [1, 2]]), x(5, 3)], {"paddingIdx": 2}))
    entries.append(functional_case("embedding paddingIdx -1", "embedding",
                                   [torch.tensor([4, 4, 0]), x(5, 2)], {"paddingIdx": -1}))
    return entries


def write_json(data):
    """One entry per line, without spaces after separators: a small file and readable diffs."""
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    for key, entries in data.items():
        lines = ",\n".join(json.dumps(e, allow_nan=False, separators=(",", ":"), ensure_ascii=False) for e in entries)
        parts.append(f'"{key}": [\n{lines}\n]')
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"{OUT_FILE.name}: {sum(len(v) for v in data.values())} entries, {len(text.encode('utf-8')) // 1024} KB")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    # PyTorch warns that "same" with an even kernel pads a copy of the input: expected here.
    warnings.filterwarnings("ignore", message="Using padding='same'")
    write_json({"layers": layer_cases(), "functional": functional_cases()})
