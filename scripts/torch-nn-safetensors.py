"""Writes safetensors files with PyTorch, for gradschool's safetensors tests.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-safetensors.py

Debian's PyTorch comes without the `safetensors` package, so the files are
written by `safetensors_bytes` below, a small writer that follows the format
and the reference writer (huggingface/safetensors) exactly: tensors sorted by
dtype (widest first) and then by name, a compact JSON header with
"__metadata__" first and the tensors in data order, spaces up to a multiple
of 8 bytes. (The reference keeps metadata in a hash map, leaving the order of
several metadata keys open; this writer sorts them, as gradschool does.)

It writes, under test/fixtures/torch-nn/ (read by test/nn/safetensors.test.ts;
no test runs Python):
  safetensors-mlp.safetensors      state_dict of Sequential(Linear(4, 8), ReLU(), Linear(8, 3)), float32
  safetensors-convnet.safetensors  state_dict of a conv net with BatchNorm2d (whose num_batches_tracked is int64)
  safetensors-dtypes.safetensors   tensors of the dtypes gradschool writes (F64, F32, I32, BOOL), empty and
                                   0-d tensors, names that test the sort order and JSON escaping
  safetensors-converted.safetensors  F16, BF16 and I64 tensors, which gradschool reads as float32 and int32
  safetensors.json                 for the models: an input and PyTorch's outputs (eval mode), computed
                                   in float32 and, with the same weights, in float64; for the dtypes
                                   files: every tensor's dtype (as gradschool reads it), shape and values,
                                   in file order
"""

import json
import pathlib
import struct
import sys

import torch
from torch import nn

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn"

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL",
}
# The reference's dtypes in increasing alignment; its writer sorts by this, descending.
ALIGNMENT_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def tensor_bytes(t):
    """Row-major little-endian bytes (16-bit floats through an int16 view, which numpy can hold)."""
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def file_order(tensors):
    """The reference writer's order: widest dtype first, then by name (compared as UTF-8 bytes)."""
    return sorted(tensors, key=lambda name: (-ALIGNMENT_ORDER.index(DTYPE_NAMES[tensors[name].dtype]), name.encode("utf-8")))


def safetensors_bytes(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (name -> tensor) and string `metadata`."""
    assert sys.byteorder == "little"
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for name in file_order(tensors):
        data = tensor_bytes(tensors[name])
        header[name] = {"dtype": DTYPE_NAMES[tensors[name].dtype], "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write(name, tensors, metadata=None):
    (OUT_DIR / name).write_bytes(safetensors_bytes(tensors, metadata))


def outputs(model, x):
    """The model's eval-mode output for x, in float32 and (same weights, widened) in float64."""
    model.eval()
    with torch.no_grad():
        out32 = model(x.float())
        out64 = model.double()(x.double())
    model.float()
    return out32.tolist(), out64.tolist()


def mlp_case():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    write("safetensors-mlp.safetensors", model.state_dict(), {"format": "pt"})
    x = torch.randn(5, 4)
    out32, out64 = outputs(model, x)
    return {"keys": list(model.state_dict().keys()), "input": x.tolist(), "shape": [5, 4], "output_float32": out32, "output_float64": out64}


def convnet_case():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 3, 3, stride=2))
    model.train()
    with torch.no_grad():
        for _ in range(3):  # moves the running statistics away from 0 and 1, and num_batches_tracked to 3
            model(torch.randn(4, 2, 6, 6) * 2 + 0.5)
    write("safetensors-convnet.safetensors", model.state_dict(), {"format": "pt"})
    x = torch.randn(2, 2, 6, 6)
    out32, out64 = outputs(model, x)
    return {"keys": list(model.state_dict().keys()), "input": x.flatten().tolist(), "shape": [2, 2, 6, 6],
            "output_float32": out32, "output_float64": out64}


def dtypes_case():
    torch.manual_seed(2)
    tensors = {
        "f64": torch.randn(2, 3, dtype=torch.float64),
        "f32": torch.randn(3, 2),
        "f32.transposed": torch.randn(3, 4).t(),  # not contiguous: written row-major
        "i32": torch.tensor([7, -8, 9], dtype=torch.int32),
        "mask": torch.tensor([True, False, True, True]),
        "empty": torch.zeros(0, 3),
        "scalar": torch.tensor(3.25),
        # Names that sort differently by UTF-16 units than by UTF-8 bytes, and names JSON must escape.
        "z\uff5e": torch.tensor([1.0]),
        "z\U0001f600": torch.tensor([2.0]),
        '10 "quoted"\t\\': torch.tensor([3.0]),
        "9": torch.tensor([4.0]),
        "10": torch.tensor([5.0]),
    }
    metadata = {"format": "pt", "note": "caf\u00e9 \u2603"}
    return {"metadata": metadata, "tensors": written_tensors("safetensors-dtypes.safetensors", tensors, metadata)}


def converted_case():
    tensors = {
        "f16": torch.tensor([1.0, -2.5, 65504.0, 6.1035e-05, 5.96e-08, 0.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -2.5, 3.0e38, 1.0e-38, 0.1], dtype=torch.bfloat16),
        "i64": torch.tensor([[0, -1], [2147483647, -2147483648]], dtype=torch.int64),
        "f32": torch.tensor([0.5]),
    }
    return {"metadata": {}, "tensors": written_tensors("safetensors-converted.safetensors", tensors)}


def written_tensors(file_name, tensors, metadata=None):
    """Writes the file; returns each tensor's gradschool dtype, shape and values, in file order."""
    write(file_name, tensors, metadata)
    gradschool_dtype = {torch.float64: "float64", torch.float32: "float32", torch.float16: "float32", torch.bfloat16: "float32",
                        torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}
    return [{"name": name, "dtype": gradschool_dtype[tensors[name].dtype], "shape": list(tensors[name].shape),
             "values": tensors[name].double().flatten().tolist()} for name in file_order(tensors)]


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    fixture = {"torch": torch.__version__, "mlp": mlp_case(), "convnet": convnet_case(), "dtypes": dtypes_case(),
               "converted": converted_case()}
    (OUT_DIR / "safetensors.json").write_text(json.dumps(fixture) + "\n")


if __name__ == "__main__":
    main()
