"""PyTorch twins of src/architectures/resnet.ts and src/architectures/vit.ts, and
the reference values the tests compare against: test/fixtures/torch-arch/resnet-vit.json.

Run with Debian's python3-torch (1.13): /usr/bin/python3 scripts/torch-arch-resnet-vit.py

The twins follow torchvision.models.ResNet (BasicBlock) and
torchvision.models.VisionTransformer, written out here so that the script
needs torch only; the differences from torchvision are the ones the
TypeScript files describe (a 3×3 stem for small images; conv_proj reads
in_channels instead of 3).
"""
import math
from collections import OrderedDict

import torch
from torch import nn

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture

torch.set_default_dtype(torch.float64)


# ---- ResNet -----------------------------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, widths=(16, 32, 64), depths=(2, 2, 2), input_size=28):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1) if input_size == 28 else nn.Identity()
        channels = widths[0]
        self.stages = []
        for s, (width, depth) in enumerate(zip(widths, depths)):
            blocks = []
            for b in range(depth):
                blocks.append(BasicBlock(channels, width, 2 if b == 0 and s > 0 else 1))
                channels = width
            stage = nn.Sequential(*blocks)
            self.add_module(f"layer{s + 1}", stage)
            self.stages.append(stage)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels, num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in self.stages:
            x = stage(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---- ViT --------------------------------------------------------------------------------------

class MLPBlock(nn.Sequential):
    def __init__(self, dim, mlp_dim, dropout):
        super().__init__(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_dim, dim), nn.Dropout(dropout))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.normal_(m.bias, std=1e-6)


class EncoderBlock(nn.Module):
    def __init__(self, dim, heads, mlp_dim, dropout, attention_dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=1e-6)
        self.self_attention = nn.MultiheadAttention(dim, heads, dropout=attention_dropout, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MLPBlock(dim, mlp_dim, dropout)

    def forward(self, input):
        x = self.ln_1(input)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + input
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    def __init__(self, seq_length, depth, dim, heads, mlp_dim, dropout, attention_dropout):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, seq_length, dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", EncoderBlock(dim, heads, mlp_dim, dropout, attention_dropout)) for i in range(depth)))
        self.ln = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        return self.ln(self.layers(self.dropout(x + self.pos_embedding)))


class ViT(nn.Module):
    def __init__(self, image_size=8, patch_size=2, in_channels=1, num_classes=10, dim=48, depth=3, heads=4, mlp_dim=96,
                 dropout=0.0, attention_dropout=0.0):
        super().__init__()
        self.dim = dim
        self.conv_proj = nn.Conv2d(in_channels, dim, patch_size, stride=patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        seq_length = (image_size // patch_size) ** 2 + 1
        self.encoder = Encoder(seq_length, depth, dim, heads, mlp_dim, dropout, attention_dropout)
        self.heads = nn.Sequential(OrderedDict(head=nn.Linear(dim, num_classes)))
        fan_in = in_channels * patch_size * patch_size
        nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
        nn.init.zeros_(self.conv_proj.bias)
        nn.init.zeros_(self.heads.head.weight)
        nn.init.zeros_(self.heads.head.bias)

    def forward(self, x):
        n = x.shape[0]
        x = self.conv_proj(x).reshape(n, self.dim, -1).permute(0, 2, 1)
        x = torch.cat([self.class_token.expand(n, -1, -1), x], dim=1)
        return self.heads(self.encoder(x)[:, 0])


# ---- the fixture ------------------------------------------------------------------------------

def randomize(module):
    """Non-trivial values for what the initialisation leaves constant (BatchNorm, zero heads and class token)."""
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                tensor.fill_(3)
            elif name.endswith("running_var"):
                tensor.uniform_(0.5, 2.0)
            elif name.endswith("running_mean") or name.endswith("bn1.bias") or name.endswith("bn2.bias") or "downsample.1.bias" in name:
                tensor.normal_(0, 0.3)
            elif name.endswith("bn1.weight") or name.endswith("bn2.weight") or "downsample.1.weight" in name:
                tensor.uniform_(0.5, 1.5)
            elif name in ("class_token", "heads.head.weight", "heads.head.bias") or name.endswith("in_proj_bias") or name.endswith("out_proj.bias"):
                tensor.normal_(0, 0.3)


def case(model, x, modes):
    """The state dict before, then for each mode in turn (train updates the running statistics that eval then uses):
    the output, the gradient of sum(output · upstream) w.r.t. x, and after train the state it left."""
    randomize(model)
    result = {"state": encode_state_dict(model), "input": encode(x)}
    for mode in modes:
        model.train(mode == "train")
        xi = x.clone().requires_grad_(True)
        out = model(xi)
        upstream = torch.randn(out.shape)
        (out * upstream).sum().backward()
        result[mode] = {"output": encode(out), "upstream": encode(upstream), "inputGrad": encode(xi.grad)}
        if mode == "train":
            result[mode]["stateAfter"] = encode_state_dict(model)  # the running statistics moved
    return result


def main():
    torch.manual_seed(0)
    data = {}
    # Tiny ResNets: 8×8 input (no max pool), two stages with a downsample; 28×28 input (the max-pool stem).
    small = ResNet(in_channels=2, num_classes=3, widths=(3, 4), depths=(2, 1), input_size=8)
    data["resnet8"] = {"config": {"inChannels": 2, "numClasses": 3, "widths": [3, 4], "depths": [2, 1], "inputSize": 8},
                       **case(small, torch.randn(3, 2, 8, 8), ["train", "eval"])}
    stem = ResNet(in_channels=1, num_classes=4, widths=(2, 3, 3), depths=(1, 1, 1), input_size=28)
    data["resnet28"] = {"config": {"inChannels": 1, "numClasses": 4, "widths": [2, 3, 3], "depths": [1, 1, 1], "inputSize": 28},
                        **case(stem, torch.randn(1, 1, 28, 28), ["train", "eval"])}
    # A tiny ViT: 4×4 images of 2 channels, 2×2 patches, 2 blocks of 2 heads.
    vit = ViT(image_size=4, patch_size=2, in_channels=2, num_classes=3, dim=8, depth=2, heads=2, mlp_dim=12)
    data["vit"] = {"config": {"imageSize": 4, "patchSize": 2, "inChannels": 2, "numClasses": 3, "dim": 8, "depth": 2, "heads": 2, "mlpDim": 12},
                   **case(vit, torch.randn(3, 2, 4, 4), ["eval"])}
    # Parameter counts of the default (full-size) configurations, the ones the training scripts use.
    data["parameterCounts"] = {
        "resnetDefault": parameter_count(ResNet()),
        "vitDefault": parameter_count(ViT()),
    }
    data["stateDictKeys"] = {
        "resnetDefault": list(ResNet().state_dict().keys()),
        "vitDefault": list(ViT().state_dict().keys()),
    }
    print(data["parameterCounts"])
    write_fixture("resnet-vit", data)


if __name__ == "__main__":
    main()
