"""Shared by the scripts/torch-arch-*.py generators: tensors and state dicts as
JSON, written to test/fixtures/torch-arch/<name>.json.

Run the generators with Debian's python3-torch: /usr/bin/python3 scripts/torch-arch-<family>.py
"""
import json
import pathlib

import torch

FIXTURE_DIR = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-arch"


def encode(t):
    """A tensor as {shape, dtype, values}: floats as float64, integers as int32 (gradschool has no int64)."""
    t = t.detach()
    if t.dtype == torch.bool:
        dtype = "bool"
    elif t.dtype.is_floating_point:
        dtype = "float64"
    else:
        dtype = "int32"
    values = t.flatten().tolist()
    if dtype == "bool":
        values = [1 if v else 0 for v in values]
    return {"shape": list(t.shape), "dtype": dtype, "values": values}


def encode_state_dict(module):
    """Every entry of module.state_dict(), in PyTorch's order, as [name, encoded tensor] pairs."""
    return [[name, encode(value)] for name, value in module.state_dict().items()]


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def write_fixture(name, data):
    """Writes test/fixtures/torch-arch/<name>.json (compact, one top-level key per line)."""
    FIXTURE_DIR.mkdir(parents=True, exist_ok=True)
    path = FIXTURE_DIR / f"{name}.json"
    lines = ",\n".join(f"{json.dumps(key)}:{json.dumps(value, allow_nan=False, separators=(',', ':'))}" for key, value in data.items())
    path.write_text("{\n" + lines + "\n}\n", encoding="utf-8")
    print(f"{path.name}: {len(data)} keys, {path.stat().st_size // 1024} KB")
