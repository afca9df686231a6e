"""Writes the PyTorch reference fixtures for gradschool's loss functions.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-loss.py

It writes test/fixtures/torch-nn/loss.json, read by test/nn/loss.test.ts (no
test ever runs Python). Each entry is one loss with one set of options:

- "fn": gradschool's function name (mseLoss, crossEntropy ...), "module": the
  class name (MSELoss, CrossEntropyLoss ...), "options": the options as
  gradschool spells them (camelCase; weight tensors are in "state");
- "state": the PyTorch module's state dict (the weight / pos_weight buffers);
- "input", "target": float64 inputs (class-index targets are int32 here, int64
  in PyTorch);
- "output": the loss; "upstream": for reduction "none", the fixed gradient v
  used to backpropagate sum(loss * v) (otherwise the loss itself is backpropagated);
- "inputGrad", and "targetGrad" where PyTorch differentiates the target.

Inputs are rounded to 3 decimals so that both sides read the same doubles.
Outputs and gradients are written with all 17 digits. NaN and infinities are
written as the strings "NaN", "Infinity" and "-Infinity".
"""

import json
import math
import pathlib

import torch
import torch.nn as nn

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn" / "loss.json"
GEN = torch.Generator().manual_seed(20240610)

# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def rounded(t):
    return torch.round(t * 1000) / 1000


def randn(*shape, scale=1.0):
    """N(0, scale²) values rounded to 3 decimals."""
    return rounded(torch.randn(shape, generator=GEN, dtype=torch.float64) * scale)


def uniform(*shape, low=0.0, high=1.0):
    return rounded(low + (high - low) * torch.rand(shape, generator=GEN, dtype=torch.float64))


def probabilities(*shape, dim=1):
    """Rows of class probabilities along `dim` (a softmax of random scores)."""
    return torch.softmax(torch.randn(shape, generator=GEN, dtype=torch.float64) * 2, dim)


def log_probabilities(*shape, dim=1):
    return torch.log_softmax(torch.randn(shape, generator=GEN, dtype=torch.float64) * 2, dim)


def classes(shape, n_classes):
    return torch.randint(0, n_classes, shape, generator=GEN)


def number(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def encode(t):
    t = t.detach()
    dtype = "float64" if t.is_floating_point() else "int32"
    values = [number(float(v)) for v in t.flatten().tolist()]
    return {"shape": list(t.shape), "dtype": dtype, "values": values}


# ---------------------------------------------------------------------------
# Losses: gradschool's names -> PyTorch's module and option names
# ---------------------------------------------------------------------------

MODULES = {
    "mseLoss": ("MSELoss", nn.MSELoss),
    "l1Loss": ("L1Loss", nn.L1Loss),
    "smoothL1Loss": ("SmoothL1Loss", nn.SmoothL1Loss),
    "huberLoss": ("HuberLoss", nn.HuberLoss),
    "crossEntropy": ("CrossEntropyLoss", nn.CrossEntropyLoss),
    "nllLoss": ("NLLLoss", nn.NLLLoss),
    "binaryCrossEntropy": ("BCELoss", nn.BCELoss),
    "binaryCrossEntropyWithLogits": ("BCEWithLogitsLoss", nn.BCEWithLogitsLoss),
    "klDiv": ("KLDivLoss", nn.KLDivLoss),
}

OPTION_NAMES = {
    "reduction": "reduction", "beta": "beta", "delta": "delta", "ignoreIndex": "ignore_index",
    "labelSmoothing": "label_smoothing", "logTarget": "log_target", "weight": "weight", "posWeight": "pos_weight",
}

# Losses whose target PyTorch differentiates (when it is a floating-point tensor).
TARGET_GRADS = {"mseLoss", "l1Loss", "smoothL1Loss", "huberLoss", "crossEntropy", "binaryCrossEntropy",
                "binaryCrossEntropyWithLogits", "klDiv"}


def case(name, fn, x, target, target_grad=True, **options):
    """Runs the PyTorch module on float64 inputs and returns the fixture entry.
    target_grad=False leaves out the target's gradient (where PyTorch's is NaN or infinite)."""
    module_name, module_class = MODULES[fn]
    torch_options = {OPTION_NAMES[key]: value for key, value in options.items()}
    module = module_class(**torch_options)
    x = x.clone().requires_grad_(True)
    target = target.clone()
    with_target_grad = target_grad and fn in TARGET_GRADS and target.is_floating_point()
    if with_target_grad:
        target.requires_grad_(True)
    out = module(x, target)
    upstream = None
    if out.dim() > 0:
        upstream = randn(*out.shape)
        (out * upstream).sum().backward()
    else:
        out.backward()
    entry = {
        "name": name, "fn": fn, "module": module_name,
        "options": {key: value for key, value in options.items() if key not in ("weight", "posWeight")},
        "state": {key: encode(value) for key, value in module.state_dict().items()},
        "input": encode(x), "target": encode(target),
        "output": encode(out),
        "upstream": encode(upstream) if upstream is not None else None,
        "inputGrad": encode(x.grad),
        "targetGrad": encode(target.grad) if with_target_grad else None,
    }
    return entry


REDUCTIONS = ("none", "mean", "sum")


def regression_cases():
    entries = []
    for fn, extra in (("mseLoss", [{}]), ("l1Loss", [{}]),
                      ("smoothL1Loss", [{}, {"beta": 0.5}, {"beta": 2.0}, {"beta": 0.0}]),
                      ("huberLoss", [{}, {"delta": 0.5}, {"delta": 2.0}])):
        for options in extra:
            for reduction in REDUCTIONS:
                x, y = randn(3, 4), randn(3, 4)
                label = ", ".join(f"{k} {v}" for k, v in options.items())
                entries.append(case(f"{fn}/{reduction}{', ' + label if label else ''}", fn, x, y, reduction=reduction, **options))
        # Ties (input == target, a kink of |d|) and differences exactly at the beta / delta boundary.
        x = torch.tensor([[0.5, -1.25, 2.0, 0.0], [1.0, -3.0, 0.75, 0.1]], dtype=torch.float64)
        y = torch.tensor([[0.5, -1.25, 1.0, 0.5], [0.0, -1.0, 0.75, 0.1]], dtype=torch.float64)
        for options in extra:
            label = "".join(f", {k} {v}" for k, v in options.items())
            entries.append(case(f"{fn}/ties and boundaries{label}", fn, x, y, **options))
        entries.append(case(f"{fn}/0-d", fn, randn(), randn()))
        entries.append(case(f"{fn}/[2, 3, 2] none", fn, randn(2, 3, 2), randn(2, 3, 2), reduction="none"))
    return entries


def classification_cases():
    entries = []
    N, C = 4, 5
    w = uniform(C, low=0.2, high=2.0)
    for reduction in REDUCTIONS:
        entries.append(case(f"crossEntropy/{reduction}", "crossEntropy", randn(N, C), classes([N], C), reduction=reduction))
        entries.append(case(f"crossEntropy/weight, {reduction}", "crossEntropy", randn(N, C), classes([N], C),
                            weight=w, reduction=reduction))
        entries.append(case(f"crossEntropy/label smoothing 0.1, {reduction}", "crossEntropy", randn(N, C), classes([N], C),
                            labelSmoothing=0.1, reduction=reduction))
        entries.append(case(f"crossEntropy/label smoothing 0.2 and weight, {reduction}", "crossEntropy", randn(N, C),
                            classes([N], C), weight=w, labelSmoothing=0.2, reduction=reduction))
        entries.append(case(f"crossEntropy/weight, smoothing 0.3, ignored targets, {reduction}", "crossEntropy",
                            randn(6, C), torch.tensor([1, -100, 4, 0, -100, 4]), weight=w, labelSmoothing=0.3,
                            reduction=reduction))
        entries.append(case(f"crossEntropy/probability targets, {reduction}", "crossEntropy", randn(N, C),
                            probabilities(N, C), reduction=reduction))
        entries.append(case(f"crossEntropy/probability targets, weight and smoothing 0.25, {reduction}", "crossEntropy",
                            randn(N, C), probabilities(N, C), weight=w, labelSmoothing=0.25, reduction=reduction))
        entries.append(case(f"crossEntropy/[2, 3, 2, 2] spatial, weight, ignored, smoothing 0.1, {reduction}", "crossEntropy",
                            randn(2, 3, 2, 2), torch.tensor([[[0, 2], [-100, 1]], [[2, 2], [1, -100]]]),
                            weight=uniform(3, low=0.2, high=2.0), labelSmoothing=0.1, reduction=reduction))
        entries.append(case(f"nllLoss/{reduction}", "nllLoss", log_probabilities(N, C), classes([N], C), reduction=reduction))
        entries.append(case(f"nllLoss/weight, ignored targets, {reduction}", "nllLoss", log_probabilities(6, C),
                            torch.tensor([3, -100, 0, 0, 2, -100]), weight=w, reduction=reduction))
        entries.append(case(f"nllLoss/[2, 3, 4] spatial, weight, {reduction}", "nllLoss", log_probabilities(2, 3, 4),
                            classes([2, 4], 3), weight=uniform(3, low=0.2, high=2.0), reduction=reduction))
    entries += [
        case("crossEntropy/ignoreIndex -100 in the targets", "crossEntropy", randn(N, C), torch.tensor([2, -100, 0, 4])),
        case("crossEntropy/ignoreIndex 2, a real class", "crossEntropy", randn(6, C), torch.tensor([2, 1, 0, 2, 4, 3]),
             ignoreIndex=2),
        case("crossEntropy/weight and ignoreIndex 2", "crossEntropy", randn(6, C), torch.tensor([2, 1, 0, 2, 4, 3]),
             ignoreIndex=2, weight=w),
        case("crossEntropy/every target ignored, mean is NaN", "crossEntropy", randn(3, C), torch.tensor([-100, -100, -100])),
        case("crossEntropy/every target ignored, smoothing and weight, mean is NaN", "crossEntropy", randn(3, C),
             torch.tensor([-100, -100, -100]), weight=w, labelSmoothing=0.1),
        case("crossEntropy/every target ignored, sum is 0", "crossEntropy", randn(3, C), torch.tensor([-100, -100, -100]),
             reduction="sum"),
        case("crossEntropy/[2, 3, 2, 2] spatial", "crossEntropy", randn(2, 3, 2, 2), classes([2, 2, 2], 3)),
        case("crossEntropy/[2, 3, 2, 2] spatial, none", "crossEntropy", randn(2, 3, 2, 2), classes([2, 2, 2], 3),
             reduction="none"),
        case("crossEntropy/[2, 4, 3] sequence, weight", "crossEntropy", randn(2, 4, 3), classes([2, 3], 4),
             weight=uniform(4, low=0.2, high=2.0)),
        case("crossEntropy/[2, 3, 2, 2] probability targets", "crossEntropy", randn(2, 3, 2, 2), probabilities(2, 3, 2, 2)),
        case("crossEntropy/[2, 3, 2, 2] probability targets, none", "crossEntropy", randn(2, 3, 2, 2),
             probabilities(2, 3, 2, 2), reduction="none"),
        case("crossEntropy/1-d input, 0-d target", "crossEntropy", randn(C), torch.tensor(3)),
        case("crossEntropy/1-d input, 0-d target, none, smoothing 0.1", "crossEntropy", randn(C), torch.tensor(1),
             reduction="none", labelSmoothing=0.1),
        case("crossEntropy/1-d input, probability target", "crossEntropy", randn(C), probabilities(C, dim=0)),
        case("crossEntropy/1-d input, probability target, none", "crossEntropy", randn(C), probabilities(C, dim=0),
             reduction="none"),
        case("crossEntropy/extreme logits ±100", "crossEntropy",
             torch.tensor([[100.0, -100.0, 0.0], [-100.0, 100.0, 100.0], [-100.0, -100.0, 100.0]], dtype=torch.float64),
             torch.tensor([1, 0, 2])),
        case("crossEntropy/extreme logits ±100, smoothing 0.1", "crossEntropy",
             torch.tensor([[100.0, -100.0, 0.0], [-100.0, 100.0, 100.0], [-100.0, -100.0, 100.0]], dtype=torch.float64),
             torch.tensor([1, 0, 2]), labelSmoothing=0.1),
        case("nllLoss/1-d input, 0-d target", "nllLoss", log_probabilities(C, dim=0), torch.tensor(2)),
        case("nllLoss/1-d input, 0-d target, none", "nllLoss", log_probabilities(C, dim=0), torch.tensor(4), reduction="none"),
        case("nllLoss/[2, 3, 2, 2] spatial, ignored", "nllLoss", log_probabilities(2, 3, 2, 2),
             torch.tensor([[[0, 2], [-100, 1]], [[2, 2], [1, -100]]])),
        case("nllLoss/every target ignored, mean is NaN", "nllLoss", log_probabilities(2, C), torch.tensor([-100, -100])),
    ]
    return entries


def binary_cases():
    entries = []
    for reduction in REDUCTIONS:
        entries.append(case(f"binaryCrossEntropy/{reduction}", "binaryCrossEntropy", uniform(3, 4, low=0.02, high=0.98),
                            uniform(3, 4), reduction=reduction))
        entries.append(case(f"binaryCrossEntropy/weight [4] broadcast, {reduction}", "binaryCrossEntropy",
                            uniform(3, 4, low=0.02, high=0.98), torch.randint(0, 2, (3, 4), generator=GEN).double(),
                            weight=uniform(4, low=0.2, high=2.0), reduction=reduction))
        entries.append(case(f"binaryCrossEntropyWithLogits/{reduction}", "binaryCrossEntropyWithLogits", randn(3, 4, scale=3),
                            uniform(3, 4), reduction=reduction))
        entries.append(case(f"binaryCrossEntropyWithLogits/posWeight [4] broadcast, {reduction}",
                            "binaryCrossEntropyWithLogits", randn(3, 4, scale=3), uniform(3, 4),
                            posWeight=uniform(4, low=0.2, high=3.0), reduction=reduction))
        entries.append(case(f"binaryCrossEntropyWithLogits/weight [3, 1] and posWeight [4], {reduction}",
                            "binaryCrossEntropyWithLogits", randn(3, 4, scale=3), uniform(3, 4),
                            weight=uniform(3, 1, low=0.2, high=2.0), posWeight=uniform(4, low=0.2, high=3.0),
                            reduction=reduction))
    # Exactly 0 and 1: PyTorch floors each log at -100.
    at_bounds = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.5, 1e-50], dtype=torch.float64)
    targets = torch.tensor([0.0, 1.0, 0.5, 0.0, 1.0, 0.5, 1.0, 1.0], dtype=torch.float64)
    entries += [
        # PyTorch's target gradient, -logit(x), is infinite at 0 and 1: not recorded.
        case("binaryCrossEntropy/inputs exactly 0 and 1, none", "binaryCrossEntropy", at_bounds, targets, reduction="none",
             target_grad=False),
        case("binaryCrossEntropy/weight [3, 4], mean", "binaryCrossEntropy", uniform(3, 4, low=0.02, high=0.98),
             uniform(3, 4), weight=uniform(3, 4, low=0.2, high=2.0)),
        case("binaryCrossEntropy/0-d", "binaryCrossEntropy", torch.tensor(0.3, dtype=torch.float64),
             torch.tensor(0.8, dtype=torch.float64)),
        case("binaryCrossEntropyWithLogits/extreme logits ±100 and 0, none", "binaryCrossEntropyWithLogits",
             torch.tensor([100.0, -100.0, 100.0, -100.0, 0.0, 0.0, 40.0, -40.0], dtype=torch.float64),
             torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 0.7, 0.5, 0.5], dtype=torch.float64), reduction="none"),
        case("binaryCrossEntropyWithLogits/extreme logits ±100, posWeight, mean", "binaryCrossEntropyWithLogits",
             torch.tensor([[100.0, -100.0], [0.0, -3.5]], dtype=torch.float64),
             torch.tensor([[0.0, 1.0], [0.3, 1.0]], dtype=torch.float64),
             posWeight=torch.tensor([2.5, 0.5], dtype=torch.float64)),
        case("binaryCrossEntropyWithLogits/[2, 3, 2] posWeight [3, 1]", "binaryCrossEntropyWithLogits", randn(2, 3, 2),
             uniform(2, 3, 2), posWeight=uniform(3, 1, low=0.2, high=3.0)),
    ]
    return entries


def kl_cases():
    entries = []
    for reduction in ("none", "mean", "batchmean", "sum"):
        entries.append(case(f"klDiv/{reduction}", "klDiv", log_probabilities(3, 4), probabilities(3, 4), reduction=reduction))
        entries.append(case(f"klDiv/logTarget, {reduction}", "klDiv", log_probabilities(3, 4), log_probabilities(3, 4),
                            reduction=reduction, logTarget=True))
    entries += [
        case("klDiv/[2, 3, 2] batchmean", "klDiv", log_probabilities(2, 3, 2), probabilities(2, 3, 2), reduction="batchmean"),
        # Zeros in the target contribute 0 (0·log 0 = 0); PyTorch's target gradient there is NaN: not recorded.
        case("klDiv/zeros in the target, sum", "klDiv", log_probabilities(2, 3),
             torch.tensor([[0.0, 0.25, 0.75], [0.5, 0.5, 0.0]], dtype=torch.float64), reduction="sum", target_grad=False),
        case("klDiv/0-d batchmean", "klDiv", torch.tensor(-1.2, dtype=torch.float64), torch.tensor(0.4, dtype=torch.float64),
             reduction="batchmean"),
    ]
    return entries


def write_json(entries):
    """One entry per line: a small file and readable diffs."""
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names)), "fixture names must be unique"
    text = "[\n" + ",\n".join(json.dumps(e, allow_nan=False, separators=(",", ":"), ensure_ascii=False) for e in entries) + "\n]\n"
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"{OUT_FILE.name}: {len(entries)} entries, {len(text.encode('utf-8')) // 1024} KB")


if __name__ == "__main__":
    assert torch.__version__.startswith("1.13"), f"the fixtures come from PyTorch 1.13, this is {torch.__version__}"
    import warnings
    # KLDivLoss warns about reduction "mean" (it averages over every element, not over the batch): expected here.
    warnings.filterwarnings("ignore", message="reduction: 'mean' divides")
    write_json(regression_cases() + classification_cases() + binary_cases() + kl_cases())
