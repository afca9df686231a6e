// ResNet: a deep convolutional network made of residual blocks (He, Zhang,
// Ren and Sun, "Deep Residual Learning for Image Recognition", 2016).
//
// The idea. Stacking more convolutions should never make a network worse (the
// extra layers could learn to do nothing), yet plain deep stacks train worse
// than shallow ones. A residual block makes "do nothing" the easy default: it
// learns a correction F(x) that is ADDED to its input,
//
//   out = relu(F(x) + shortcut(x)),   F(x) = bn2(conv2(relu(bn1(conv1(x)))))
//
// so the gradient flows straight through the sum (d out / d x contains the
// identity) and very deep networks train as easily as shallow ones. When a
// block changes the number of channels or halves the resolution, the
// shortcut is a 1×1 convolution with that stride followed by BatchNorm (the
// "downsample"), so that the two terms of the sum have the same shape.
//
// The network, for a 1×28×28 image and the default widths [16, 32, 64],
// depths [2, 2, 2] (N images in a batch):
//
//   input                                 [N, 1, 28, 28]
//   conv1 3×3, bn1, relu                  [N, 16, 28, 28]
//   maxpool 3×3 stride 2 (28×28 only)     [N, 16, 14, 14]
//   layer1: 2 BasicBlocks, stride 1       [N, 16, 14, 14]
//   layer2: 2 BasicBlocks, the first stride 2   [N, 32, 7, 7]
//   layer3: 2 BasicBlocks, the first stride 2   [N, 64, 4, 4]
//   avgpool (global average)              [N, 64, 1, 1] → flatten [N, 64]
//   fc                                    [N, 10] (class scores, "logits")
//
// For 8×8 images (inputSize: 8) there is no max pool: 8×8 → 8×8 → 4×4 → 2×2.
// torchvision's ImageNet stem (a 7×7 stride-2 convolution and a max pool)
// divides 224 by 4; images this small cannot afford that, so the stem is a
// single 3×3 convolution, as in the paper's CIFAR-10 networks (section 4.2),
// and for 28×28 torchvision's 3×3 stride-2 max pool halves the resolution,
// which keeps the cost of training on a CPU low.
//
// PyTorch equivalent: torchvision.models.ResNet with BasicBlock, with the
// same module names (conv1, bn1, layer1.0.conv1, layer1.0.bn1,
// layer2.0.downsample.0, layer2.0.downsample.1, fc) and the same
// initialisation. In PyTorch the model is written
//
//   class BasicBlock(nn.Module):
//       def __init__(self, inplanes, planes, stride=1):
//           super().__init__()
//           self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
//           self.bn1 = nn.BatchNorm2d(planes)
//           self.relu = nn.ReLU(inplace=True)
//           self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
//           self.bn2 = nn.BatchNorm2d(planes)
//           self.downsample = None
//           if stride != 1 or inplanes != planes:
//               self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
//       def forward(self, x):
//           identity = x if self.downsample is None else self.downsample(x)
//           out = self.relu(self.bn1(self.conv1(x)))
//           out = self.bn2(self.conv2(out))
//           return self.relu(out + identity)
//
// and ResNet chains conv1, bn1, relu, maxpool, layer1 … layerK (nn.Sequential
// of blocks), nn.AdaptiveAvgPool2d((1, 1)), torch.flatten(x, 1) and fc
// (scripts/torch-arch-resnet-vit.py holds the whole twin). The default model
// has 174,970 parameters, as its PyTorch twin.

import type { DType } from "../core/dtype.ts";
import type { Tensor } from "../core/tensor.ts";
import { Sequential } from "../nn/containers.ts";
import { kaimingNormal_ } from "../nn/init.ts";
import { ReLU } from "../nn/layers/activation.ts";
import { Conv2d } from "../nn/layers/conv.ts";
import { Identity, Linear } from "../nn/layers/linear.ts";
import { BatchNorm2d } from "../nn/layers/normalization.ts";
import { AdaptiveAvgPool2d, MaxPool2d } from "../nn/layers/pooling.ts";
import { Module } from "../nn/module.ts";

/**
 * The basic residual block of ResNet-18/34, like torchvision.models.resnet.BasicBlock:
 * conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the shortcut, then ReLU.
 * Input [N, inPlanes, H, W], output [N, planes, H/stride, W/stride] (rounded up).
 */
export class BasicBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  /** A 1×1 convolution and BatchNorm on the shortcut, when the shape changes; null when the shortcut is the identity. */
  downsample: Sequential | null;

  constructor(readonly inPlanes: number, readonly planes: number, readonly stride = 1, { dtype = "float32" }: { dtype?: DType } = {}) {
    super();
    this.conv1 = new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false, dtype });
    this.bn1 = new BatchNorm2d(planes, { dtype });
    this.relu = new ReLU();
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false, dtype });
    this.bn2 = new BatchNorm2d(planes, { dtype });
    const shapeChanges = stride !== 1 || inPlanes !== planes;
    this.downsample = shapeChanges
      ? new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false, dtype }), new BatchNorm2d(planes, { dtype }))
      : null;
  }

  forward(x: Tensor): Tensor {
    const shortcut = this.downsample === null ? x : this.downsample.forward(x);
    const residual = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    return this.relu.forward(residual.add(shortcut)); // out = relu(F(x) + shortcut(x))
  }
}

export interface ResNetOptions {
  /** Channels of the input images (default 1: greyscale). */
  inChannels?: number;
  /** Number of classes, the size of the output (default 10). */
  numClasses?: number;
  /** Channels of each stage (default [16, 32, 64]); every stage after the first halves the resolution. */
  widths?: readonly number[];
  /** BasicBlocks in each stage (default [2, 2, 2]); as many entries as widths. */
  depths?: readonly number[];
  /** The images' side: 28 (a max pool after the stem halves it) or 8 (no max pool). Default 28. */
  inputSize?: 28 | 8;
  dtype?: DType;
}

/**
 * A small ResNet of BasicBlocks, like torchvision.models.ResNet with a
 * 3×3 stem. forward(images [N, inChannels, H, W]) returns logits [N, numClasses].
 *
 * Initialisation, as torchvision's ResNet (it differs from the layers'
 * defaults only for the convolutions): every Conv2d weight is drawn by
 * kaiming normal with mode "fan_out" and the ReLU gain, σ = √2 / √(outChannels · kH · kW);
 * every BatchNorm starts at weight 1, bias 0 (their default); fc keeps
 * Linear's default.
 */
export class ResNet extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu: ReLU;
  /** MaxPool2d(3, stride 2, padding 1) for 28×28 images; Identity for 8×8. */
  maxpool: MaxPool2d | Identity;
  /** layer1 … layerK are registered by name in the constructor; this lists them in order. */
  private readonly stages: Sequential[] = [];
  // Declared (not defined) so that they are created after layer1 … layerK: fields are listed, and saved, in creation order.
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear;
  readonly widths: readonly number[];
  readonly depths: readonly number[];
  readonly inputSize: 28 | 8;

  constructor(options: ResNetOptions = {}) {
    super();
    const { inChannels = 1, numClasses = 10, widths = [16, 32, 64], depths = [2, 2, 2], inputSize = 28, dtype = "float32" } = options;
    if (widths.length === 0 || widths.length !== depths.length) {
      throw new Error(`ResNet: widths and depths need the same, non-zero length, got [${widths.join(", ")}] and [${depths.join(", ")}]`);
    }
    const sizes: Array<[string, number]> = [["inChannels", inChannels], ["numClasses", numClasses], ...widths.map((w, s): [string, number] => [`widths[${s}]`, w]),
      ...depths.map((d, s): [string, number] => [`depths[${s}]`, d])];
    for (const [name, value] of sizes) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`ResNet: ${name} must be a positive integer, got ${value}`);
    }
    if (inputSize !== 28 && inputSize !== 8) throw new Error(`ResNet: inputSize must be 28 or 8, got ${String(inputSize)}`);
    this.widths = [...widths];
    this.depths = [...depths];
    this.inputSize = inputSize;

    const stemWidth = widths[0]!;
    this.conv1 = new Conv2d(inChannels, stemWidth, 3, { padding: 1, bias: false, dtype });
    this.bn1 = new BatchNorm2d(stemWidth, { dtype });
    this.relu = new ReLU();
    this.maxpool = inputSize === 28 ? new MaxPool2d(3, { stride: 2, padding: 1 }) : new Identity();

    // Stage s: depths[s] blocks of widths[s] channels; the first block of every stage but the first has stride 2.
    let channels = stemWidth;
    widths.forEach((width, s) => {
      const blocks: BasicBlock[] = [];
      for (let b = 0; b < depths[s]!; b++) {
        blocks.push(new BasicBlock(channels, width, b === 0 && s > 0 ? 2 : 1, { dtype }));
        channels = width;
      }
      this.stages.push(this.registerModule(`layer${s + 1}`, new Sequential(...blocks)));
    });
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(channels, numClasses, { dtype });
    this.resetParameters();
  }

  /** torchvision's initialisation: kaiming-normal (fan_out, ReLU) convolutions, BatchNorm weight 1 and bias 0. */
  resetParameters(): void {
    for (const module of this.modules()) {
      if (module instanceof Conv2d) kaimingNormal_(module.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (module instanceof BatchNorm2d) module.resetParameters();
    }
  }

  /** The stages layer1 … layerK, in order. */
  get layers(): readonly Sequential[] {
    return this.stages;
  }

  /** Images [N, C, H, W] → the pooled features [N, widths[last]] that fc turns into logits. */
  features(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.conv1.inChannels) {
      throw new Error(`ResNet: expected images [N, ${this.conv1.inChannels}, H, W], got [${x.shape.join(", ")}]`);
    }
    let h = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    for (const stage of this.stages) h = stage.forward(h);
    return this.avgpool.forward(h).flatten(1);
  }

  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features(x));
  }
}
