// Data transforms, like torchvision.transforms (images) and scikit-learn's
// StandardScaler (tables): plain functions (x: Tensor) => Tensor that a
// Dataset or DataLoader applies to every sample or batch.
//
//   compose.ts       Transform, compose           (transforms.Compose)
//   normalize.ts     normalize                    (transforms.Normalize)
//   standardizer.ts  Standardizer                 (sklearn.preprocessing.StandardScaler)
//   flip.ts          randomHorizontalFlip         (transforms.RandomHorizontalFlip)
//   crop.ts          randomCrop                   (transforms.RandomCrop)
//   shift.ts         randomShift                  (RandomAffine with translate only, in whole pixels)
//   affine.ts        randomAffine                 (transforms.RandomAffine, bilinear)
//   one-hot.ts       oneHot                       (F.one_hot(y).float(), for targets)
//   images.ts        the shape and window helpers the image transforms share

export { compose, type Transform } from "./compose.ts";
export { normalize } from "./normalize.ts";
export { Standardizer, type StandardizerOptions } from "./standardizer.ts";
export { randomHorizontalFlip } from "./flip.ts";
export { randomCrop, type RandomCropOptions } from "./crop.ts";
export { randomShift } from "./shift.ts";
export { randomAffine, type RandomAffineOptions } from "./affine.ts";
export { oneHot } from "./one-hot.ts";
