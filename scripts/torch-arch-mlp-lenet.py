"""PyTorch twins of src/architectures/mlp.ts (MLP) and src/architectures/lenet.ts
(LeNet5), and the reference values test/architectures/{mlp,lenet}.test.ts
compare against: test/fixtures/torch-arch/mlp-lenet.json.

Run with Debian's python3-torch (1.13): /usr/bin/python3 scripts/torch-arch-mlp-lenet.py

For each case, in float64: the model's options, its state dict, a fixed input,
the output, and the gradient of sum(output * upstream) with respect to the
input. MLP cases without dropout are also run once in training mode (batch
statistics), with the state dict afterwards (BatchNorm's updated running
averages). LeNet-5 has no small version (its widths are fixed), so to keep the
file small one LeNet case stores PyTorch's default initialisation rounded to 3
decimals and the other fills every tensor with a fixed integer pattern that
the test computes exactly the same way (pattern_fill below).
"""
import math

import torch
from torch import nn

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture

torch.manual_seed(0)

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid,
    "leakyRelu": lambda: nn.LeakyReLU(0.01), "silu": nn.SiLU,
}
NORMS = {"batch": nn.BatchNorm1d, "layer": nn.LayerNorm, None: None}


def mlp(inFeatures, hiddenSizes, outFeatures, activation="relu", dropout=0.0, norm=None):
    """gradschool's MLP: per hidden layer Linear -> norm -> activation -> Dropout, then a Linear."""
    layers, width = [], inFeatures
    for size in hiddenSizes:
        layers.append(nn.Linear(width, size))
        if norm is not None:
            layers.append(NORMS[norm](size))
        layers += [ACTIVATIONS[activation](), nn.Dropout(dropout)]
        width = size
    layers.append(nn.Linear(width, outFeatures))
    return nn.Sequential(*layers)


class LeNet5(nn.Module):
    """gradschool's LeNet5: conv1, conv2 (padded for 8x8 inputs), fc1, fc2, fc3."""

    def __init__(self, inChannels=1, numClasses=10, inputSize=28, activation="relu", pooling="max"):
        super().__init__()
        side = {28: 5, 8: 2}[inputSize]
        self.conv1 = nn.Conv2d(inChannels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5, padding=2 if inputSize == 8 else 0)
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, numClasses)
        self.activation = ACTIVATIONS[activation]()
        self.pool = nn.MaxPool2d(2) if pooling == "max" else nn.AvgPool2d(2)

    def forward(self, x):
        x = self.pool(self.activation(self.conv1(x)))
        x = self.pool(self.activation(self.conv2(x)))
        x = x.flatten(1)
        x = self.activation(self.fc1(x))
        x = self.activation(self.fc2(x))
        return self.fc3(x)


def output_and_input_grad(model, x, upstream):
    x = x.clone().requires_grad_(True)
    out = model(x)
    (out * upstream).sum().backward()
    return out, x.grad


def randomize_norms(model):
    """Gives every norm layer non-trivial affine parameters (and BatchNorm non-trivial running statistics)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm1d, nn.LayerNorm)):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(3)


def mlp_case(name, options, batch=4):
    model = mlp(**options).double()
    randomize_norms(model)
    x = torch.randn(batch, options["inFeatures"], dtype=torch.float64)
    upstream = torch.randn(batch, options["outFeatures"], dtype=torch.float64)
    state = encode_state_dict(model)
    model.eval()
    eval_output, eval_grad = output_and_input_grad(model, x, upstream)
    case = {"name": name, "options": options, "state": state, "input": encode(x), "upstream": encode(upstream),
            "evalOutput": encode(eval_output), "evalInputGrad": encode(eval_grad), "parameterCount": parameter_count(model)}
    if options.get("dropout", 0.0) == 0.0:
        model.train()
        train_output, train_grad = output_and_input_grad(model, x, upstream)
        case.update({"trainOutput": encode(train_output), "trainInputGrad": encode(train_grad),
                     "stateAfterTrain": encode_state_dict(model)})
    return case


def pattern_fill(model):
    """Tensor k of the state dict (in order), element i: ((37 i + 101 k) mod 199 - 99) / 99 * scale, with
    scale = 1/sqrt(fan_in) for weights (fan_in = numel / size of dim 0) and 0.1 for biases. Exact integers,
    one correctly rounded division, square root and product: the same doubles in any language."""
    with torch.no_grad():
        for k, (name, tensor) in enumerate(model.state_dict().items()):
            n = tensor.numel()
            scale = 1 / math.sqrt(n / tensor.shape[0]) if tensor.dim() >= 2 else 0.1
            values = [((37 * i + 101 * k) % 199 - 99) / 99 * scale for i in range(n)]
            tensor.copy_(torch.tensor(values, dtype=torch.float64).reshape(tensor.shape))


def lenet_case(name, options, batch, weights):
    model = LeNet5(**options).double()
    if weights == "pattern":
        pattern_fill(model)
    else:
        with torch.no_grad():
            for tensor in model.state_dict().values():
                tensor.copy_(torch.round(tensor * 1000) / 1000)
    size = options["inputSize"]
    x = torch.round(torch.rand(batch, options["inChannels"], size, size, dtype=torch.float64) * 1000) / 1000
    upstream = torch.randn(batch, options["numClasses"], dtype=torch.float64)
    output, grad = output_and_input_grad(model, x, upstream)
    case = {"name": name, "options": options, "weights": weights, "input": encode(x), "upstream": encode(upstream),
            "output": encode(output), "inputGrad": encode(grad), "parameterCount": parameter_count(model)}
    if weights != "pattern":
        case["state"] = encode_state_dict(model)
    return case


TINY = {"inFeatures": 5, "hiddenSizes": [7, 6], "outFeatures": 3}
mlp_cases = [
    mlp_case("relu, batch norm", {**TINY, "activation": "relu", "dropout": 0.0, "norm": "batch"}),
    mlp_case("tanh, layer norm, dropout 0.3", {**TINY, "activation": "tanh", "dropout": 0.3, "norm": "layer"}),
    mlp_case("gelu, no norm", {**TINY, "activation": "gelu", "dropout": 0.0, "norm": None}),
    mlp_case("sigmoid, batch norm, dropout 0.2", {**TINY, "activation": "sigmoid", "dropout": 0.2, "norm": "batch"}),
    mlp_case("leakyRelu, layer norm", {**TINY, "activation": "leakyRelu", "dropout": 0.0, "norm": "layer"}),
    mlp_case("silu, three hidden layers", {"inFeatures": 4, "hiddenSizes": [5, 3, 6], "outFeatures": 2, "activation": "silu",
                                           "dropout": 0.0, "norm": None}),
    mlp_case("no hidden layer (logistic regression)", {"inFeatures": 5, "hiddenSizes": [], "outFeatures": 3}),
]

lenet_cases = [
    lenet_case("8x8, 2 channels, 4 classes, tanh, average pooling (PyTorch's initialisation, rounded)",
               {"inChannels": 2, "numClasses": 4, "inputSize": 8, "activation": "tanh", "pooling": "avg"}, 3, "torch"),
    lenet_case("28x28, relu, max pooling (pattern weights)",
               {"inChannels": 1, "numClasses": 10, "inputSize": 28, "activation": "relu", "pooling": "max"}, 2, "pattern"),
]

# The full-size configurations the training scripts use (training/mlp.ts, training/lenet.ts).
default_parameter_counts = {
    "mlp": parameter_count(mlp(64, [128, 64], 10, "relu", 0.1, "batch")),
    "lenet28": parameter_count(LeNet5()),
    "lenet8": parameter_count(LeNet5(inputSize=8)),
}

write_fixture("mlp-lenet", {"mlp": mlp_cases, "lenet": lenet_cases, "defaultParameterCounts": default_parameter_counts})
print(default_parameter_counts)
