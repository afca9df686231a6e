// What the image-classification scripts share: measuring accuracy, and the
// linear baseline each model is compared with.

import { data, F, Generator, nn, noGrad, optim, type Tensor } from "../src/index.ts";

/** Any module that maps a batch of images to one score per class. */
export type Classifier = nn.Module & { forward(x: Tensor): Tensor };

/** The fraction of a dataset's images whose largest output is the label, in batches of 500, the model in evaluation mode. */
export function accuracy(model: Classifier, dataset: data.Dataset<[Tensor, Tensor]>): number {
  model.eval();
  let correct = 0;
  for (const [x, y] of new data.DataLoader(dataset, { batchSize: 500 })) {
    correct += noGrad(() => model.forward(x).argmax(1).eq(y).sum().item());
  }
  return correct / dataset.length;
}

/** Multinomial logistic regression on the pixels (Flatten → Linear(pixels, 10)): Adam with a fixed lr on shuffled batches. */
export function trainLinearBaseline(trainSet: data.Dataset<[Tensor, Tensor]>, options: { pixels: number; lr: number; epochs: number; batchSize: number; seed: number }): Classifier {
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(options.pixels, 10));
  const loader = new data.DataLoader(trainSet, { batchSize: options.batchSize, shuffle: true, generator: new Generator(options.seed) });
  const optimizer = new optim.Adam(model.parameters(), { lr: options.lr });
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
  }
  return model;
}
