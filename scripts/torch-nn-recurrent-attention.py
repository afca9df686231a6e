"""Writes the PyTorch reference fixtures for gradschool's recurrent layers and attention.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-recurrent-attention.py

It writes test/fixtures/torch-nn/recurrent-attention.json, read by
test/nn/recurrent.test.ts and test/nn/attention.test.ts (no test ever runs
Python). The file has four lists:

  recurrent  nn.RNN / nn.LSTM / nn.GRU
  cells      nn.RNNCell / nn.LSTMCell / nn.GRUCell
  mha        nn.MultiheadAttention
  sdpa       scaled dot-product attention, written out as PyTorch 2.x's
             F.scaled_dot_product_attention defines it (1.13 has no such function):
             softmax(q kᵀ · scale + bias) v, where a bool mask is True where
             attention is allowed and a float mask is added.

Every entry holds the constructor options (gradschool's camelCase names), the
state dict (name → nested list), the inputs, the outputs, an "upstream"
gradient for every output, and PyTorch's gradients of Σ output · upstream with
respect to every input and every parameter. Everything is float64.

Parameters, inputs and upstream gradients are rounded to 3 decimals, so both
sides read exactly the same doubles; outputs and gradients are written with
15 significant digits.
"""

import json
import math
import pathlib

import torch
import torch.nn as nn

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn" / "recurrent-attention.json"
torch.manual_seed(20240610)
torch.set_default_dtype(torch.float64)


def decimals(*shape):
    """N(0, 1) values rounded to 3 decimals."""
    return torch.round(torch.randn(shape) * 1000) / 1000


def rounded_(module):
    """Rounds every parameter to 3 decimals in place (the default init keeps its range)."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.round(p * 1000) / 1000)
    return module


def number(v):
    v = float(f"{v:.15g}")
    return int(v) if v.is_integer() else v


def nested(t):
    """A tensor as nested lists (bools stay bools)."""
    if t.dtype == torch.bool:
        return t.tolist()
    flat = [number(v) for v in t.detach().flatten().tolist()]

    def build(dim, start):
        if dim == t.dim():
            return flat[start]
        step = math.prod(t.shape[dim + 1:])
        return [build(dim + 1, start + i * step) for i in range(t.shape[dim])]

    return build(0, 0)


def state_dict(module):
    return {name: nested(value) for name, value in module.state_dict().items()}


def param_grads(module):
    return {name: nested(p.grad) for name, p in module.named_parameters()}


def backward(outputs):
    """Backpropagates Σ output · upstream and returns the upstream gradients by name."""
    upstream = {name: decimals(*out.shape) for name, out in outputs.items()}
    sum((out * upstream[name]).sum() for name, out in outputs.items()).backward()
    return {name: nested(u) for name, u in upstream.items()}


# ---- recurrent layers ----------------------------------------------------------

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def recurrent(name, kind, input_shape, options, initial_state=False):
    torch_options = {
        "input_size": options["inputSize"], "hidden_size": options["hiddenSize"],
        "num_layers": options.get("numLayers", 1), "bias": options.get("bias", True),
        "batch_first": options.get("batchFirst", False), "bidirectional": options.get("bidirectional", False),
    }
    if "nonlinearity" in options:
        torch_options["nonlinearity"] = options["nonlinearity"]
    if "projSize" in options:
        torch_options["proj_size"] = options["projSize"]
    layer = rounded_(LAYERS[kind](**torch_options))
    x = decimals(*input_shape).requires_grad_(True)
    batched = len(input_shape) == 3
    directions = 2 if torch_options["bidirectional"] else 1
    states = directions * torch_options["num_layers"]
    batch = [input_shape[0 if torch_options["batch_first"] else 1]] if batched else []
    h_size = options.get("projSize", options["hiddenSize"])
    entry = {"name": name, "kind": kind, "options": options, "stateDict": state_dict(layer), "input": nested(x)}
    inputs = {"input": x}
    if initial_state:
        h0 = decimals(states, *batch, h_size).requires_grad_(True)
        entry["h0"], inputs["h0"] = nested(h0), h0
        if kind == "LSTM":
            c0 = decimals(states, *batch, options["hiddenSize"]).requires_grad_(True)
            entry["c0"], inputs["c0"] = nested(c0), c0
            hx = (h0, c0)
        else:
            hx = h0
        output, state = layer(x, hx)
    else:
        output, state = layer(x)
    outputs = {"output": output}
    if kind == "LSTM":
        outputs["hN"], outputs["cN"] = state
    else:
        outputs["hN"] = state
    entry.update({key: nested(value) for key, value in outputs.items()})
    entry["upstream"] = backward(outputs)
    entry["grads"] = {**{key: nested(t.grad) for key, t in inputs.items()}, **param_grads(layer)}
    return entry


CELLS = {"RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell}


def cell(name, kind, input_shape, options, initial_state=False):
    torch_options = {"input_size": options["inputSize"], "hidden_size": options["hiddenSize"], "bias": options.get("bias", True)}
    if "nonlinearity" in options:
        torch_options["nonlinearity"] = options["nonlinearity"]
    module = rounded_(CELLS[kind](**torch_options))
    x = decimals(*input_shape).requires_grad_(True)
    entry = {"name": name, "kind": kind, "options": options, "stateDict": state_dict(module), "input": nested(x)}
    inputs = {"input": x}
    state_shape = [*input_shape[:-1], options["hiddenSize"]]
    if initial_state:
        h0 = decimals(*state_shape).requires_grad_(True)
        entry["h0"], inputs["h0"] = nested(h0), h0
        if kind == "LSTMCell":
            c0 = decimals(*state_shape).requires_grad_(True)
            entry["c0"], inputs["c0"] = nested(c0), c0
            result = module(x, (h0, c0))
        else:
            result = module(x, h0)
    else:
        result = module(x)
    outputs = {"h1": result[0], "c1": result[1]} if kind == "LSTMCell" else {"h1": result}
    entry.update({key: nested(value) for key, value in outputs.items()})
    entry["upstream"] = backward(outputs)
    entry["grads"] = {**{key: nested(t.grad) for key, t in inputs.items()}, **param_grads(module)}
    return entry


def recurrent_cases():
    return [
        recurrent("RNN tanh, 2 layers", "RNN", [5, 2, 3], {"inputSize": 3, "hiddenSize": 4, "numLayers": 2}),
        recurrent("RNN relu, bidirectional, batchFirst, h0", "RNN", [2, 5, 3],
                  {"inputSize": 3, "hiddenSize": 4, "nonlinearity": "relu", "bidirectional": True, "batchFirst": True},
                  initial_state=True),
        recurrent("RNN tanh, no bias, unbatched, h0", "RNN", [4, 3], {"inputSize": 3, "hiddenSize": 2, "bias": False},
                  initial_state=True),
        recurrent("LSTM, 2 layers, bidirectional, h0 and c0", "LSTM", [4, 2, 2],
                  {"inputSize": 2, "hiddenSize": 3, "numLayers": 2, "bidirectional": True}, initial_state=True),
        recurrent("LSTM, batchFirst, no bias", "LSTM", [3, 4, 2], {"inputSize": 2, "hiddenSize": 3, "bias": False, "batchFirst": True}),
        recurrent("LSTM, unbatched", "LSTM", [5, 3], {"inputSize": 3, "hiddenSize": 2}),
        recurrent("LSTM, projSize 2, 2 layers, bidirectional, h0 and c0", "LSTM", [3, 2, 2],
                  {"inputSize": 2, "hiddenSize": 4, "projSize": 2, "numLayers": 2, "bidirectional": True}, initial_state=True),
        recurrent("GRU, 2 layers, bidirectional, batchFirst, h0", "GRU", [2, 4, 3],
                  {"inputSize": 3, "hiddenSize": 3, "numLayers": 2, "bidirectional": True, "batchFirst": True}, initial_state=True),
        recurrent("GRU, 1 layer", "GRU", [5, 3, 2], {"inputSize": 2, "hiddenSize": 4}),
        recurrent("GRU, unbatched, h0", "GRU", [4, 3], {"inputSize": 3, "hiddenSize": 3}, initial_state=True),
    ]


def cell_cases():
    return [
        cell("RNNCell tanh", "RNNCell", [3, 4], {"inputSize": 4, "hiddenSize": 3}),
        cell("RNNCell relu, h0", "RNNCell", [3, 4], {"inputSize": 4, "hiddenSize": 3, "nonlinearity": "relu"}, initial_state=True),
        cell("LSTMCell, h0 and c0", "LSTMCell", [2, 3], {"inputSize": 3, "hiddenSize": 4}, initial_state=True),
        cell("LSTMCell, no bias", "LSTMCell", [2, 3], {"inputSize": 3, "hiddenSize": 2, "bias": False}),
        cell("GRUCell, h0", "GRUCell", [3, 2], {"inputSize": 2, "hiddenSize": 4}, initial_state=True),
        cell("GRUCell, unbatched, h0", "GRUCell", [3], {"inputSize": 3, "hiddenSize": 2}, initial_state=True),
    ]


# ---- multi-head attention ------------------------------------------------------

def mha(name, options, shapes, forward=None, masks=None):
    """shapes: query, key, value shapes; "self" as the key shape means key = value = query (self-attention)."""
    forward = forward or {}
    masks = masks or {}
    torch_options = {"bias": options.get("bias", True), "batch_first": options.get("batchFirst", False)}
    if "kdim" in options:
        torch_options["kdim"] = options["kdim"]
    if "vdim" in options:
        torch_options["vdim"] = options["vdim"]
    module = rounded_(nn.MultiheadAttention(options["embedDim"], options["numHeads"], **torch_options))
    query = decimals(*shapes[0]).requires_grad_(True)
    self_attention = shapes[1] == "self"
    key = query if self_attention else decimals(*shapes[1]).requires_grad_(True)
    value = query if self_attention else decimals(*shapes[2]).requires_grad_(True)
    need_weights = forward.get("needWeights", True)
    output, weights = module(query, key, value, key_padding_mask=masks.get("keyPaddingMask"), attn_mask=masks.get("attnMask"),
                             need_weights=need_weights, average_attn_weights=forward.get("averageAttnWeights", True))
    entry = {"name": name, "options": options, "forward": forward, "selfAttention": self_attention,
             "masks": {key_: nested(mask) for key_, mask in masks.items()}, "stateDict": state_dict(module),
             "query": nested(query)}
    inputs = {"query": query}
    if not self_attention:
        entry["key"], entry["value"] = nested(key), nested(value)
        inputs["key"], inputs["value"] = key, value
    outputs = {"output": output}
    if need_weights:
        outputs["weights"] = weights
    else:
        assert weights is None
    entry.update({key_: nested(value_) for key_, value_ in outputs.items()})
    entry["upstream"] = backward(outputs)
    entry["grads"] = {**{key_: nested(t.grad) for key_, t in inputs.items()}, **param_grads(module)}
    return entry


def mha_cases():
    L, S, N, E, H = 3, 4, 2, 4, 2
    bool_2d = torch.tensor([[False, True, False, True], [False, False, True, False], [True, False, False, False]])
    padding = torch.tensor([[False, False, False, True], [False, True, False, False]])
    return [
        mha("self-attention", {"embedDim": E, "numHeads": H}, [[L, N, E], "self"]),
        mha("cross-attention, bool attnMask and keyPaddingMask", {"embedDim": E, "numHeads": H}, [[L, N, E], [S, N, E], [S, N, E]],
            masks={"attnMask": bool_2d, "keyPaddingMask": padding}),
        mha("float 3-D attnMask and bool keyPaddingMask", {"embedDim": E, "numHeads": H}, [[L, N, E], [S, N, E], [S, N, E]],
            masks={"attnMask": decimals(N * H, L, S), "keyPaddingMask": padding}),
        mha("float 2-D attnMask, averageAttnWeights false", {"embedDim": E, "numHeads": H}, [[L, N, E], [S, N, E], [S, N, E]],
            forward={"averageAttnWeights": False}, masks={"attnMask": decimals(L, S)}),
        mha("float keyPaddingMask alone", {"embedDim": E, "numHeads": H}, [[L, N, E], [S, N, E], [S, N, E]],
            masks={"keyPaddingMask": decimals(N, S)}),
        mha("batchFirst, kdim and vdim, needWeights false", {"embedDim": E, "numHeads": H, "batchFirst": True, "kdim": 3, "vdim": 5},
            [[N, L, E], [N, S, 3], [N, S, 5]], forward={"needWeights": False}),
        mha("batchFirst, kdim and vdim, bool attnMask", {"embedDim": E, "numHeads": H, "batchFirst": True, "kdim": 3, "vdim": 5},
            [[N, L, E], [N, S, 3], [N, S, 5]], masks={"attnMask": bool_2d}),
        mha("no bias, 4 heads", {"embedDim": E, "numHeads": 4, "bias": False}, [[L, N, E], [S, N, E], [S, N, E]]),
        mha("unbatched, 3-D attnMask and keyPaddingMask", {"embedDim": E, "numHeads": H}, [[L, E], [S, E], [S, E]],
            masks={"attnMask": torch.rand(H, L, S) < 0.3, "keyPaddingMask": torch.tensor([False, False, True, False])}),
        mha("unbatched self-attention, averageAttnWeights false", {"embedDim": E, "numHeads": H}, [[L, E], "self"],
            forward={"averageAttnWeights": False}),
    ]


# ---- scaled dot-product attention ---------------------------------------------

def sdpa_reference(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """PyTorch 2.x's definition of F.scaled_dot_product_attention, without dropout."""
    L, S = q.shape[-2], k.shape[-2]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    bias = torch.zeros(L, S)
    if is_causal:
        assert attn_mask is None
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float("-inf"))
    if attn_mask is not None:
        bias = bias.masked_fill(attn_mask.logical_not(), float("-inf")) if attn_mask.dtype == torch.bool else bias + attn_mask
    return torch.softmax(q @ k.transpose(-2, -1) * scale + bias, dim=-1) @ v


def sdpa(name, shapes, attn_mask=None, is_causal=False, scale=None):
    q, k, v = (decimals(*shape).requires_grad_(True) for shape in shapes)
    output = sdpa_reference(q, k, v, attn_mask, is_causal, scale)
    options = {}
    if attn_mask is not None:
        options["attnMask"] = nested(attn_mask)
    if is_causal:
        options["isCausal"] = True
    if scale is not None:
        options["scale"] = scale
    entry = {"name": name, "options": options, "query": nested(q), "key": nested(k), "value": nested(v), "output": nested(output)}
    entry["upstream"] = backward({"output": output})
    entry["grads"] = {"query": nested(q.grad), "key": nested(k.grad), "value": nested(v.grad)}
    return entry


def sdpa_cases():
    return [
        sdpa("plain, 3-D", [[2, 3, 4], [2, 5, 4], [2, 5, 3]]),
        sdpa("4-D batch and heads, scale 0.7", [[2, 2, 3, 4], [2, 2, 3, 4], [2, 2, 3, 2]], scale=0.7),
        sdpa("bool mask, True = may attend", [[2, 3, 4], [2, 4, 4], [2, 4, 2]],
             attn_mask=torch.tensor([[True, False, True, True], [False, True, True, False], [True, True, False, False]])),
        sdpa("float mask broadcast over the batch", [[2, 3, 4], [2, 4, 4], [2, 4, 2]], attn_mask=decimals(1, 3, 4)),
        sdpa("causal, L < S", [[2, 3, 2], [2, 5, 2], [2, 5, 3]], is_causal=True),
        sdpa("causal, square, 2-D", [[4, 3], [4, 3], [4, 2]], is_causal=True),
    ]


def write_json(data):
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    for key, entries in data.items():
        lines = ",\n".join(json.dumps(e, allow_nan=False, separators=(",", ":"), ensure_ascii=False) for e in entries)
        parts.append(f'"{key}":[\n{lines}\n]')
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"{OUT_FILE.name}: {sum(len(e) for e in data.values())} entries, {len(text.encode('utf-8')) // 1024} KB")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    write_json({"recurrent": recurrent_cases(), "cells": cell_cases(), "mha": mha_cases(), "sdpa": sdpa_cases()})
