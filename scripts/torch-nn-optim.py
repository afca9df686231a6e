"""Writes the PyTorch reference values for gradschool's optimizers, learning-rate
schedulers and gradient clipping.

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-nn-optim.py

It writes test/fixtures/torch-nn/optim.json, read by test/nn/optim.test.ts,
test/nn/lr-scheduler.test.ts and test/nn/clip-grad.test.ts (no test ever runs
Python). Three sections:

- "problem" and "optimizers": a small least-squares problem,
      loss = mean((X @ W^T + b - Y)^2),
  with a third parameter `unused` that never gets a gradient (so every
  optimizer must skip it). Each optimizer case gives the options as
  gradschool's constructor takes them (camelCase), optionally two parameter
  groups, the parameters after each of 5 steps, and the optimizer's final
  state_dict() (tensors as nested lists, "step" as a number).
- "schedulers": the learning rates (get_last_lr() after construction and
  after each of 30 steps) of every scheduler case, for an SGD or Adam
  optimizer with two parameter groups, plus the momentum (or beta1) that
  OneCycleLR cycles.
- "clip": gradients before and after clip_grad_norm_ / clip_grad_value_, and
  the total norm returned.

Inputs are rounded to 3 decimals, so both sides read exactly the same doubles.
"""

import json
import math
import pathlib
import warnings

import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_

warnings.filterwarnings("ignore")

OUT_FILE = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "torch-nn" / "optim.json"
GEN = torch.Generator().manual_seed(20240610)
STEPS = 5
SCHEDULER_STEPS = 30


def rounded_randn(*shape):
    return torch.round(torch.randn(shape, generator=GEN, dtype=torch.float64) * 1000) / 1000


def to_list(t):
    return t.detach().to(torch.float64).tolist()


# ---------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------

PROBLEM = {
    "X": rounded_randn(6, 4),
    "Y": rounded_randn(6, 3),
    "W": rounded_randn(3, 4),
    "b": rounded_randn(3),
    "unused": rounded_randn(2),
}

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}


def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def torch_options(options):
    """gradschool's camelCase options as PyTorch keywords (betas become a tuple)."""
    return {snake(k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def make_params(dtype):
    return [PROBLEM[name].clone().to(dtype).requires_grad_() for name in ("W", "b", "unused")]


def loss_of(params, dtype):
    W, b, _ = params
    X, Y = PROBLEM["X"].to(dtype), PROBLEM["Y"].to(dtype)
    return (X @ W.t() + b - Y).pow(2).mean()


def plain(value):
    """A state-dict value as JSON: tensors as nested lists (a 0-d step as a number)."""
    if isinstance(value, torch.Tensor):
        return value.item() if value.dim() == 0 else to_list(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def optimizer_case(name, optimizer, options, groups=None, dtype=torch.float64, steps=STEPS):
    params = make_params(dtype)
    if groups is None:
        opt = OPTIMIZERS[optimizer](params, **torch_options(options))
    else:
        opt = OPTIMIZERS[optimizer](
            [dict(params=[params[i] for i in g["params"]], **torch_options(g["options"])) for g in groups],
            **torch_options(options),
        )
    trajectory = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss_of(params, dtype).backward()
        opt.step()
        trajectory.append([to_list(p) for p in params])
    sd = opt.state_dict()
    state = {str(k): {key: plain(v) for key, v in entry.items()} for k, entry in sd["state"].items()}
    param_groups = [{key: plain(v) for key, v in g.items()} for g in sd["param_groups"]]
    case = {
        "name": name,
        "optimizer": optimizer,
        "options": options,
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "trajectory": trajectory,
        "stateDict": {"state": state, "param_groups": param_groups},
    }
    if groups is not None:
        case["groups"] = groups
    return case


def optimizer_cases():
    cases = [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("SGD", {"lr": 0.05, "momentum": 0.5, "weightDecay": 0.1}),
        ("SGD", {"lr": 0.05, "momentum": 0.8, "maximize": True}),
        ("Adam", {"lr": 0.1}),
        ("Adam", {"lr": 0.1, "amsgrad": True}),
        ("Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}),
        ("Adam", {"lr": 0.05, "maximize": True, "amsgrad": True}),
        ("AdamW", {"lr": 0.1}),
        ("AdamW", {"lr": 0.1, "weightDecay": 0.1, "amsgrad": True}),
        ("AdamW", {"lr": 0.05, "betas": [0.5, 0.9], "maximize": True}),
        ("RMSprop", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
        ("RMSprop", {"lr": 0.01, "centered": True}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weightDecay": 0.1, "eps": 1e-4}),
        ("RMSprop", {"lr": 0.01, "maximize": True}),
        ("Adagrad", {"lr": 0.1}),
        ("Adagrad", {"lr": 0.1, "lrDecay": 0.1}),
        ("Adagrad", {"lr": 0.1, "weightDecay": 0.1, "initialAccumulatorValue": 0.5}),
        ("Adagrad", {"lr": 0.1, "eps": 1e-6, "maximize": True}),
    ]
    out = [optimizer_case(f"{opt} {json.dumps(o)}", opt, o) for opt, o in cases]
    two_groups = [
        ("SGD", {"lr": 0.05}, [{"params": [0], "options": {"lr": 0.1, "momentum": 0.9}}, {"params": [1, 2], "options": {}}]),
        ("Adam", {"lr": 0.05}, [{"params": [0, 2], "options": {"betas": [0.5, 0.9], "weightDecay": 0.1}},
                                {"params": [1], "options": {"amsgrad": True}}]),
        ("RMSprop", {"lr": 0.01}, [{"params": [1], "options": {"centered": True}},
                                   {"params": [0], "options": {"momentum": 0.9, "lr": 0.02}}]),
        ("Adagrad", {"lr": 0.1}, [{"params": [0], "options": {"lrDecay": 0.5}}, {"params": [1], "options": {"lr": 0.3}}]),
        ("AdamW", {"lr": 0.1}, [{"params": [0], "options": {"weightDecay": 0.5}}, {"params": [1], "options": {"weightDecay": 0}}]),
    ]
    out += [optimizer_case(f"{opt} two groups", opt, o, groups) for opt, o, groups in two_groups]
    float32 = [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}),
        ("Adam", {"lr": 0.1, "amsgrad": True, "weightDecay": 0.01}),
        ("AdamW", {"lr": 0.1}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
        ("Adagrad", {"lr": 0.1, "lrDecay": 0.01, "initialAccumulatorValue": 0.1}),
    ]
    out += [optimizer_case(f"{opt} float32 {json.dumps(o)}", opt, o, dtype=torch.float32) for opt, o in float32]
    return out


# ---------------------------------------------------------------------------
# Schedulers
# ---------------------------------------------------------------------------

S = torch.optim.lr_scheduler


def scheduler_case(name, make, optimizer="SGD", steps=SCHEDULER_STEPS):
    """Two parameter groups (lr 0.1 and 0.05); records lr (and momentum) after construction and each step."""
    a = torch.zeros(2, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    if optimizer == "SGD":
        opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    scheduler = make(opt)

    def momenta():
        return [g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups]

    lrs = [scheduler.get_last_lr()]
    momentum = [momenta()]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        momentum.append(momenta())
    return {"name": name, "optimizer": optimizer, "lrs": lrs, "momentum": momentum}


def scheduler_cases():
    return [
        scheduler_case("StepLR", lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
        scheduler_case("StepLR default gamma", lambda o: S.StepLR(o, step_size=4)),
        scheduler_case("MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3)),
        scheduler_case("ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.9)),
        scheduler_case("CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
        scheduler_case("CosineAnnealingLR default etaMin", lambda o: S.CosineAnnealingLR(o, T_max=7)),
        scheduler_case("LambdaLR one function", lambda o: S.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e)),
        scheduler_case("LambdaLR per group",
                       lambda o: S.LambdaLR(o, lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.5 ** (e // 3)])),
        scheduler_case("LinearLR default", lambda o: S.LinearLR(o)),
        scheduler_case("LinearLR warmup", lambda o: S.LinearLR(o, start_factor=0.1, total_iters=8)),
        scheduler_case("LinearLR decay", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=10)),
        scheduler_case("OneCycleLR", lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30)),
        scheduler_case("OneCycleLR linear", lambda o: S.OneCycleLR(o, max_lr=0.8, total_steps=30, anneal_strategy="linear")),
        scheduler_case("OneCycleLR three phase", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=30, three_phase=True)),
        scheduler_case("OneCycleLR epochs", lambda o: S.OneCycleLR(
            o, max_lr=0.6, epochs=5, steps_per_epoch=6, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
            base_momentum=0.8, max_momentum=0.9)),
        scheduler_case("OneCycleLR no momentum", lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30, cycle_momentum=False)),
        scheduler_case("OneCycleLR Adam", lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=30), optimizer="Adam"),
        scheduler_case("SequentialLR warmup then cosine", lambda o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=25)], milestones=[5])),
        scheduler_case("SequentialLR three", lambda o: S.SequentialLR(
            o, [S.ExponentialLR(o, gamma=0.9), S.StepLR(o, step_size=3, gamma=0.5),
                S.LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1))], milestones=[4, 10])),
        scheduler_case("ChainedScheduler", lambda o: S.ChainedScheduler(
            [S.LinearLR(o, start_factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.9)])),
    ]


# ---------------------------------------------------------------------------
# Gradient clipping
# ---------------------------------------------------------------------------

def clip_case(name, grads, max_norm=None, norm_type=2.0, clip_value=None, dtype=torch.float64):
    params = [torch.zeros(g.shape, dtype=dtype, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone().to(dtype)
    case = {"name": name, "dtype": "float64" if dtype == torch.float64 else "float32",
            "grads": [to_list(g) for g in grads]}
    if clip_value is not None:
        clip_grad_value_(params, clip_value)
        case["clipValue"] = clip_value
    else:
        total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
        case["maxNorm"] = max_norm
        case["normType"] = "inf" if norm_type == math.inf else norm_type
        case["totalNorm"] = total.item()
    case["clipped"] = [to_list(p.grad) for p in params]
    return case


def clip_cases():
    g1, g2 = rounded_randn(3, 4), rounded_randn(5)
    return [
        clip_case("2-norm, clipped", [g1, g2], max_norm=1.0),
        clip_case("2-norm, not clipped", [g1, g2], max_norm=100.0),
        clip_case("1-norm", [g1, g2], max_norm=2.0, norm_type=1.0),
        clip_case("3.5-norm", [g1, g2], max_norm=0.5, norm_type=3.5),
        clip_case("inf-norm", [g1, g2], max_norm=0.3, norm_type=math.inf),
        clip_case("one tensor", [g1], max_norm=0.7),
        clip_case("float32", [g1, g2], max_norm=1.0, dtype=torch.float32),
        clip_case("value", [g1, g2], clip_value=0.5),
    ]


def main():
    fixture = {
        "problem": {name: to_list(t) for name, t in PROBLEM.items()},
        "optimizers": optimizer_cases(),
        "schedulers": scheduler_cases(),
        "clip": clip_cases(),
    }
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
