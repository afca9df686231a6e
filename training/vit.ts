// A Vision Transformer on the 8×8 digits.
//
// Data: the 1,797 bundled 8×8 digits, pixels divided by 16 (values in [0, 1]),
// split 80/20 by data.randomSplit with new Generator(0): 1,438 training and
// 359 test images, the same split whatever --seed is. No augmentation: random
// shifts of one pixel (data.transforms.randomShift(1)) are large moves on an
// 8×8 image, and cost accuracy at this budget (PyTorch runs of a larger ViT,
// dim 64 and 4 blocks, 30 epochs, cosine schedule: 83.9 % with shifts, 92.8 %
// without). --seed changes the initialisation and the order of the batches.
// Model: ViT {} (2×2 patches → 16 tokens and a class token, dim 48, 3
// pre-LayerNorm encoder blocks of 4 heads, MLPs of 96), 58,570 parameters,
// as its PyTorch twin (torchvision's VisionTransformer).
// Training: AdamW (weight decay 0.05) with the 1cycle schedule (peak lr 3e-3,
// β₁ cycled 0.95 → 0.85 → 0.95), batches of 64, 20 epochs (quick: 2 epochs of
// a smaller ViT on the first 256 training images, tested on the test split).
// The PyTorch twin trained with this recipe reached 95.3 % and 96.1 % (seeds 0
// and 1; its random streams differ from gradschool's).
//
// Reported: test accuracy (target ≥ 90 %) and train accuracy, the training
// time and the time per epoch, the test accuracy every 5 epochs, and two
// baselines: chance (10 %) and a linear classifier on the 64 pixels
// (multinomial logistic regression, Adam, the same epochs and batches). The
// trained weights go to <outDir>/vit.safetensors.

import path from "node:path";
import { F, Generator, data, optim, save, type Tensor } from "../src/index.ts";
import { ViT, type ViTOptions } from "../src/architectures/vit.ts";
import { formatDuration, ProgressBar } from "../chapters/_kit/progress.ts";
import { accuracy, trainLinearBaseline } from "./classification.ts";
import { atLeast, reported, type Trainer, type TrainOptions, type TrainResult } from "./types.ts";

const EPOCHS = 20;
const BATCH_SIZE = 64;
const PEAK_LR = 3e-3;

type ImageSet = data.Dataset<[Tensor, Tensor]>;

function train({ quick, seed, outDir }: TrainOptions): TrainResult {
  const epochs = quick ? 2 : EPOCHS;
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.images.div(16), digits.target);
  const [fullTrain, testSet] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(0) });
  const trainSet: ImageSet = quick ? new data.Subset(fullTrain, Array.from({ length: 256 }, (_, i) => i)) : fullTrain;
  console.log(`${trainSet.length} training and ${testSet.length} test images`);

  const options: ViTOptions = quick ? { dim: 32, depth: 2, heads: 2, mlpDim: 64 } : {};
  const model = new ViT(options);
  console.log(`ViT ${JSON.stringify(options)}: ${model.parameterCount().toLocaleString("en-US")} parameters`);
  const loader = new data.DataLoader(trainSet, { batchSize: BATCH_SIZE, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.AdamW(model.parameters(), { lr: PEAK_LR, weightDecay: 0.05 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, PEAK_LR, { totalSteps: epochs * loader.length });
  const progress = new ProgressBar(epochs * loader.length, { label: `ViT, ${epochs} epochs` });
  const curve: string[] = [];
  const started = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      progress.tick(1, `epoch ${epoch + 1} · loss ${loss.item().toFixed(3)}`);
    }
    if ((epoch + 1) % 5 === 0 || epoch === epochs - 1) curve.push(`${epoch + 1}: ${(100 * accuracy(model, testSet)).toFixed(1)}`);
  }
  progress.finish();
  const trainSeconds = (performance.now() - started) / 1000;
  console.log(`trained in ${formatDuration(trainSeconds)}`);
  const file = path.join(outDir, "vit.safetensors");
  save(model.stateDict(), file);

  console.log("baseline: a linear classifier on the pixels (64 → 10), Adam, the same epochs and batches…");
  const linear = trainLinearBaseline(trainSet, { pixels: 64, lr: 1e-2, epochs, batchSize: BATCH_SIZE, seed });

  return {
    measurements: [
      atLeast("test accuracy (%)", 100 * accuracy(model, testSet), 90),
      reported("train accuracy (%)", 100 * accuracy(model, trainSet)),
      reported("baseline: linear classifier, test accuracy (%)", 100 * accuracy(linear, testSet)),
      reported("baseline: chance, test accuracy (%)", 10),
      reported("parameters", model.parameterCount()),
      reported("training time (s)", trainSeconds),
      reported("time per epoch (s)", trainSeconds / epochs),
    ],
    notes: [
      `test accuracy (%) after epoch ${curve.join(", ")}`,
      `weights saved to ${file}`,
    ],
  };
}

const trainer: Trainer = {
  description: "a Vision Transformer (2×2 patches, dim 48, 3 blocks of 4 heads) on the 8×8 digits (80/20 split)",
  train,
};
export default trainer;
