// gradschool's data layer, like torch.utils.data plus the parts of
// torchvision and scikit-learn that lessons need: `import { data } from "gradschool"`.
//
//   datasets/     the bundled real datasets (digits, Fashion-MNIST, iris, breast
//                 cancer, wine, Pride and Prejudice, a word list), checked by sha256
//   readers/      IDX (MNIST's format), gzip and CSV readers that validate every byte
//   synthetic.ts  makeMoons, makeCircles, makeSpirals, makeBlobs, makeSwissRoll2d
//   timeseries.ts sine and seasonal series, sliding windows for forecasting
//   dataset.ts    Dataset, TensorDataset, Subset, TransformedDataset, randomSplit
//   dataloader.ts DataLoader (seeded per-epoch shuffling), defaultCollate
//   transforms/   normalize, Standardizer, random flips, crops, shifts, affine, oneHot
//   tokenizers/   CharTokenizer, BPETokenizer (byte-level, as GPT-2), JSON files
//   text-batching.ts  (input, target) windows for language models
//
// The readers, loaders and tokenizer files use Node's fs and zlib; everything
// else runs anywhere.

export { Dataset, Subset, TensorDataset, TransformedDataset, randomSplit, type TransformOptions } from "./dataset.ts";
export { DataLoader, defaultCollate, type Collated, type DataLoaderOptions } from "./dataloader.ts";
export * as transforms from "./transforms/index.ts";
export * from "./tokenizers/index.ts";
export { LanguageModelDataset, batchify, bpttWindows, randomWindows, splitByPosition, type TokenSequence } from "./text-batching.ts";

export { makeBlobs, makeCircles, makeMoons, makeSpirals, makeSwissRoll2d } from "./synthetic.ts";
export type { BlobsOptions, CirclesOptions, MoonsOptions, SpiralsOptions, SwissRollOptions } from "./synthetic.ts";
export { makeSeasonalSeries, makeSineSeries, slidingWindows, type SeasonalSeriesOptions, type SineSeriesOptions } from "./timeseries.ts";

export { loadDigits, type Digits } from "./datasets/digits.ts";
export { FASHION_MNIST_CLASSES, FASHION_MNIST_SYSTEM_DIR, loadFashionMNIST, type FashionMNIST, type FashionMNISTOptions } from "./datasets/fashion-mnist.ts";
export { loadBreastCancer, loadIris, loadWine, type TabularDataset } from "./datasets/tabular.ts";
export { TEXT_NAMES, loadText, loadWords } from "./datasets/text.ts";
export { BUNDLED_FILES, type BundledFile } from "./datasets/bundled.ts";

export { DataFileError } from "./errors.ts";
export { gunzip, isGzip, readMaybeGzipped } from "./readers/gzip.ts";
export { encodeIdx, parseIdx, readIdx, type IdxArray, type IdxDataType } from "./readers/idx.ts";
export { decodeUtf8, parseCsv, parseNumericCsv, parseSklearnCsv, type NumericCsv, type SklearnCsv } from "./readers/csv.ts";
