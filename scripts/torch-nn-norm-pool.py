"""Writes the PyTorch reference values for gradschool's normalization, pooling and upsampling layers.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-norm-pool.py

It writes test/fixtures/torch-nn/norm-pool.json, read by test/nn/pooling.test.ts
and test/nn/normalization.test.ts (no test ever runs Python). Everything is
float64. Tensors are written as {"shape", "values"}; Python's float repr
round-trips, so both sides read exactly the same doubles.

Each pooling entry holds the options as gradschool spells them ("args"), the
repr of the equivalent PyTorch module, the input, the output (and the indices
of max pooling), an upstream gradient and PyTorch's gradient of
sum(output * upstream) with respect to the input.

Each normalization entry holds the module's constructor options, its repr and
state-dict keys, the state it starts from (random weights and running
statistics, so that every formula shows), then a list of steps (training or
evaluation) with the input, output, upstream gradient, the gradients of the
input and of every parameter, and the state dict after the step.
"""

import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn" / "norm-pool.json"
DTYPE = torch.float64


def encode(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "values": [int(v) for v in t.flatten().tolist()]}
    return {"shape": list(t.shape), "values": [float(v) for v in t.flatten().tolist()]}


def randn(*shape):
    return torch.randn(shape, dtype=DTYPE)


def distinct(*shape):
    """N(0, 1) values rounded to 3 decimals, all different: a window's maximum is never a tie."""
    while True:
        values = torch.round(randn(*shape) * 1000) / 1000
        if values.flatten().unique().numel() == values.numel():
            return values


def torch_args(args):
    """gradschool's camelCase options as PyTorch keywords; lists become tuples."""
    names = {"kernelSize": "kernel_size", "ceilMode": "ceil_mode", "countIncludePad": "count_include_pad",
             "divisorOverride": "divisor_override", "scaleFactor": "scale_factor", "outputSize": "output_size",
             "recomputeScaleFactor": "recompute_scale_factor"}
    return {names.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in args.items()}


# ---- pooling and upsampling -----------------------------------------------------

POOLS = {
    "maxPool2d": (F.max_pool2d, nn.MaxPool2d),
    "maxPool1d": (F.max_pool1d, nn.MaxPool1d),
    "avgPool2d": (F.avg_pool2d, nn.AvgPool2d),
    "avgPool1d": (F.avg_pool1d, nn.AvgPool1d),
    "adaptiveAvgPool2d": (F.adaptive_avg_pool2d, nn.AdaptiveAvgPool2d),
    "adaptiveAvgPool1d": (F.adaptive_avg_pool1d, nn.AdaptiveAvgPool1d),
    "interpolate": (F.interpolate, nn.Upsample),
}


def pool_case(name, fn, input_shape, args, values=distinct):
    seed = len(name) * 7919 + sum(map(ord, name))
    torch.manual_seed(seed)
    x = values(*input_shape).requires_grad_(True)
    functional, layer = POOLS[fn]
    keywords = torch_args(args)
    indices = None
    if fn.startswith("maxPool"):
        out, indices = functional(x, **keywords, return_indices=True)
    elif fn.startswith("adaptive"):
        out = functional(x, keywords["output_size"])
    else:
        out = functional(x, **keywords)
    module = layer(**keywords)
    module_out = module(x)
    assert torch.equal(module_out, out), name
    upstream = torch.round(randn(*out.shape) * 1000) / 1000
    (out * upstream).sum().backward()
    entry = {"name": name, "fn": fn, "args": args, "repr": repr(module),
             "input": encode(x), "output": encode(out), "upstream": encode(upstream), "grad": encode(x.grad)}
    if indices is not None:
        entry["indices"] = encode(indices)
    return entry


def small_integers(*shape):
    """Whole numbers 0..3: many ties, to compare which index wins."""
    return torch.randint(0, 4, shape).to(DTYPE)


def pooling_cases():
    return [
        pool_case("maxPool2d/2x2", "maxPool2d", [2, 3, 4, 6], {"kernelSize": 2}),
        pool_case("maxPool2d/3x3 stride 2 padding 1", "maxPool2d", [2, 2, 7, 6], {"kernelSize": 3, "stride": 2, "padding": 1}),
        pool_case("maxPool2d/overlapping stride 1", "maxPool2d", [1, 2, 4, 5], {"kernelSize": 2, "stride": 1}),
        pool_case("maxPool2d/ceil mode", "maxPool2d", [1, 2, 5, 7], {"kernelSize": 2, "ceilMode": True}),
        pool_case("maxPool2d/ceil mode, stride 2, padding 1", "maxPool2d", [1, 1, 6, 6],
                  {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True}),
        pool_case("maxPool2d/dilation 2, non-square", "maxPool2d", [2, 1, 7, 8],
                  {"kernelSize": [2, 3], "stride": [1, 2], "padding": [1, 0], "dilation": [2, 1]}),
        pool_case("maxPool2d/unbatched", "maxPool2d", [2, 5, 5], {"kernelSize": 2, "stride": 1, "padding": 1}),
        pool_case("maxPool2d/ties: the first maximum wins", "maxPool2d", [1, 2, 4, 4], {"kernelSize": 2, "stride": 1},
                  values=small_integers),
        pool_case("maxPool1d/3 stride 2", "maxPool1d", [2, 3, 9], {"kernelSize": 3, "stride": 2}),
        pool_case("maxPool1d/padding, dilation, ceil mode", "maxPool1d", [1, 2, 10],
                  {"kernelSize": 3, "stride": 3, "padding": 1, "dilation": 2, "ceilMode": True}),
        pool_case("maxPool1d/unbatched", "maxPool1d", [3, 6], {"kernelSize": 2}),
        pool_case("avgPool2d/2x2", "avgPool2d", [2, 3, 4, 6], {"kernelSize": 2}),
        pool_case("avgPool2d/3x3 stride 2 padding 1", "avgPool2d", [1, 2, 7, 6], {"kernelSize": 3, "stride": 2, "padding": 1}),
        pool_case("avgPool2d/padding, countIncludePad false", "avgPool2d", [1, 2, 5, 5],
                  {"kernelSize": 3, "stride": 2, "padding": 1, "countIncludePad": False}),
        pool_case("avgPool2d/ceil mode", "avgPool2d", [1, 1, 5, 7], {"kernelSize": 2, "ceilMode": True}),
        pool_case("avgPool2d/ceil mode, padding, countIncludePad", "avgPool2d", [1, 2, 6, 5],
                  {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True}),
        pool_case("avgPool2d/ceil mode, padding, countIncludePad false", "avgPool2d", [1, 2, 6, 5],
                  {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}),
        pool_case("avgPool2d/divisorOverride", "avgPool2d", [1, 2, 4, 5], {"kernelSize": [2, 3], "stride": 1, "divisorOverride": 5}),
        pool_case("avgPool2d/non-square, unbatched", "avgPool2d", [2, 6, 7], {"kernelSize": [3, 2], "stride": [2, 3], "padding": [1, 1]}),
        pool_case("avgPool1d/3 stride 2", "avgPool1d", [2, 3, 9], {"kernelSize": 3, "stride": 2}),
        pool_case("avgPool1d/padding, ceil mode, countIncludePad false", "avgPool1d", [1, 2, 8],
                  {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}),
        pool_case("adaptiveAvgPool2d/dividing sizes", "adaptiveAvgPool2d", [2, 2, 4, 6], {"outputSize": [2, 3]}),
        pool_case("adaptiveAvgPool2d/sizes that do not divide", "adaptiveAvgPool2d", [1, 2, 5, 7], {"outputSize": [3, 4]}),
        pool_case("adaptiveAvgPool2d/larger than the input", "adaptiveAvgPool2d", [1, 1, 3, 2], {"outputSize": [5, 3]}),
        pool_case("adaptiveAvgPool2d/one number, unbatched", "adaptiveAvgPool2d", [2, 7, 5], {"outputSize": 3}),
        pool_case("adaptiveAvgPool2d/null keeps the input size", "adaptiveAvgPool2d", [1, 2, 4, 5], {"outputSize": [None, 2]}),
        pool_case("adaptiveAvgPool2d/global (1)", "adaptiveAvgPool2d", [2, 3, 3, 4], {"outputSize": 1}),
        pool_case("adaptiveAvgPool1d/5 from 7", "adaptiveAvgPool1d", [2, 2, 7], {"outputSize": 5}),
        pool_case("adaptiveAvgPool1d/unbatched", "adaptiveAvgPool1d", [3, 10], {"outputSize": 4}),
        pool_case("interpolate/scale 2", "interpolate", [1, 2, 3, 4], {"scaleFactor": 2}),
        pool_case("interpolate/size", "interpolate", [2, 1, 3, 4], {"size": [5, 7]}),
        pool_case("interpolate/downsample by size", "interpolate", [1, 2, 7, 6], {"size": [3, 4]}),
        pool_case("interpolate/per-dim scale factors", "interpolate", [1, 1, 4, 5], {"scaleFactor": [1.5, 0.6]}),
        pool_case("interpolate/1-D by size", "interpolate", [2, 2, 5], {"size": 8}),
        pool_case("interpolate/1-D scale 1.7", "interpolate", [1, 2, 6], {"scaleFactor": 1.7}),
        pool_case("interpolate/recomputeScaleFactor", "interpolate", [1, 1, 6, 5],
                  {"scaleFactor": 1.7, "recomputeScaleFactor": True}),
    ]


def nearest_index_cases():
    """Which input index each output reads, for sizes where float rounding decides (see nearestSourceIndex)."""
    cases = []
    for dtype, name in ((torch.float64, "float64"), (torch.float32, "float32")):
        for size_in, size_out in ((14, 46), (26, 22), (26, 44), (26, 46), (28, 46), (10, 6), (7, 10), (3, 5), (5, 3)):
            x = torch.arange(size_in, dtype=dtype).reshape(1, 1, size_in)
            out = F.interpolate(x, size=size_out, mode="nearest")
            cases.append({"dtype": name, "inputSize": size_in, "size": size_out,
                          "indices": [int(v) for v in out.flatten().tolist()]})
        for size_in, scale in ((31, 1.3), (2, 1.3), (10, 0.7), (9, 1 / 3)):
            x = torch.arange(size_in, dtype=dtype).reshape(1, 1, size_in)
            out = F.interpolate(x, scale_factor=scale, mode="nearest")
            cases.append({"dtype": name, "inputSize": size_in, "scaleFactor": scale,
                          "indices": [int(v) for v in out.flatten().tolist()]})
    return cases


# ---- normalization ------------------------------------------------------------------

def randomize_state(module):
    """Random affine parameters and running statistics (variances positive), so that each one matters."""
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name == "num_batches_tracked":
                continue
            if name == "running_var":
                tensor.copy_(torch.rand(tensor.shape, dtype=DTYPE) + 0.5)
            else:
                tensor.copy_(randn(*tensor.shape))


def encode_state(module):
    return {name: encode(t) for name, t in module.state_dict().items()}


def norm_step(module, x, training):
    module.train(training)
    module.zero_grad()
    x = x.clone().requires_grad_(True)
    out = module(x)
    upstream = randn(*out.shape)
    (out * upstream).sum().backward()
    return {
        "training": training, "input": encode(x), "output": encode(out), "upstream": encode(upstream),
        "inputGrad": encode(x.grad),
        "paramGrads": {name: encode(p.grad) for name, p in module.named_parameters()},
        "stateAfter": encode_state(module),
    }


def norm_case(name, layer, args, options, shapes, modes):
    """Builds the layer with options (gradschool's names → PyTorch's), then runs one step per input shape."""
    seed = len(name) * 104729 + sum(map(ord, name))
    torch.manual_seed(seed)
    keywords = {{"trackRunningStats": "track_running_stats", "elementwiseAffine": "elementwise_affine"}.get(k, k): v
                for k, v in options.items()}
    module = getattr(nn, layer)(*args, **keywords, dtype=DTYPE)
    randomize_state(module)
    entry = {"name": name, "layer": layer, "args": args, "options": options, "repr": repr(module),
             "stateKeys": list(module.state_dict().keys()), "initialState": encode_state(module)}
    entry["steps"] = [norm_step(module, randn(*shape), training) for shape, training in zip(shapes, modes)]
    return entry


def normalization_cases():
    train2_eval = [True, True, False]
    return [
        norm_case("BatchNorm1d/[N, C]", "BatchNorm1d", [3], {}, [[5, 3], [4, 3], [3, 3]], train2_eval),
        norm_case("BatchNorm1d/[N, C, L], momentum null (cumulative)", "BatchNorm1d", [2], {"momentum": None},
                  [[4, 2, 3], [2, 2, 5], [3, 2, 2]], train2_eval),
        norm_case("BatchNorm2d/eps, momentum", "BatchNorm2d", [3], {"eps": 1e-3, "momentum": 0.3},
                  [[2, 3, 3, 4], [3, 3, 2, 2], [1, 3, 2, 3]], train2_eval),
        norm_case("BatchNorm2d/affine false", "BatchNorm2d", [2], {"affine": False},
                  [[2, 2, 2, 3], [2, 2, 3, 3], [2, 2, 2, 2]], train2_eval),
        norm_case("BatchNorm2d/trackRunningStats false: batch statistics in eval too", "BatchNorm2d", [2],
                  {"trackRunningStats": False}, [[2, 2, 2, 3], [3, 2, 1, 2], [2, 2, 2, 2]], train2_eval),
        norm_case("BatchNorm1d/eval first", "BatchNorm1d", [4], {}, [[3, 4], [2, 4]], [False, True]),
        norm_case("LayerNorm/last dim", "LayerNorm", [4], {}, [[3, 4], [2, 5, 4]], [True, False]),
        norm_case("LayerNorm/last two dims, eps", "LayerNorm", [[2, 3]], {"eps": 1e-6}, [[2, 2, 3], [2, 3]], [True, True]),
        norm_case("LayerNorm/no affine", "LayerNorm", [[3]], {"elementwiseAffine": False}, [[4, 3]], [True]),
        norm_case("GroupNorm/2 groups of 2", "GroupNorm", [2, 4], {}, [[2, 4, 3], [3, 4, 2, 2]], [True, False]),
        norm_case("GroupNorm/3 groups of 2, eps", "GroupNorm", [3, 6], {"eps": 1e-3}, [[2, 6, 2, 2]], [True]),
        norm_case("GroupNorm/one group (like LayerNorm over C, H, W), no affine", "GroupNorm", [1, 3], {"affine": False},
                  [[2, 3, 2, 2]], [True]),
        norm_case("GroupNorm/one group per channel (like InstanceNorm)", "GroupNorm", [3, 3], {}, [[2, 3, 4]], [True]),
    ]


def instance_norm_case(name, shape, running, affine, use_input_stats=True, momentum=0.1, eps=1e-5):
    seed = len(name) * 15485863 + sum(map(ord, name))
    torch.manual_seed(seed)
    channels = shape[1]
    x = randn(*shape).requires_grad_(True)
    weight = randn(channels).requires_grad_(True) if affine else None
    bias = randn(channels).requires_grad_(True) if affine else None
    running_mean = randn(channels) if running else None
    running_var = torch.rand(channels, dtype=DTYPE) + 0.5 if running else None
    entry = {"name": name, "input": encode(x), "options": {"useInputStats": use_input_stats, "momentum": momentum, "eps": eps}}
    if affine:
        entry["weight"], entry["bias"] = encode(weight), encode(bias)
    if running:
        entry["runningMean"], entry["runningVar"] = encode(running_mean), encode(running_var)
    out = F.instance_norm(x, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)
    upstream = randn(*out.shape)
    (out * upstream).sum().backward()
    entry.update({"output": encode(out), "upstream": encode(upstream), "inputGrad": encode(x.grad)})
    if affine:
        entry["weightGrad"], entry["biasGrad"] = encode(weight.grad), encode(bias.grad)
    if running:
        entry["runningMeanAfter"], entry["runningVarAfter"] = encode(running_mean), encode(running_var)
    return entry


def instance_norm_cases():
    return [
        instance_norm_case("instanceNorm/plain", [2, 3, 4], running=False, affine=False),
        instance_norm_case("instanceNorm/affine, 2-D", [2, 2, 2, 3], running=False, affine=True, eps=1e-3),
        instance_norm_case("instanceNorm/running statistics updated", [3, 2, 5], running=True, affine=True, momentum=0.2),
        instance_norm_case("instanceNorm/running statistics used", [2, 2, 3], running=True, affine=True, use_input_stats=False),
    ]


def write_json(document):
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    for key, entries in document.items():
        lines = ",\n".join(json.dumps(e, allow_nan=False, separators=(",", ":")) for e in entries)
        parts.append(f"{json.dumps(key)}:[\n{lines}\n]")
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"{OUT_FILE.name}: {sum(len(e) for e in document.values())} entries, {len(text.encode('utf-8')) // 1024} KB")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    write_json({
        "pooling": pooling_cases(),
        "nearestIndices": nearest_index_cases(),
        "normalization": normalization_cases(),
        "instanceNorm": instance_norm_cases(),
    })
