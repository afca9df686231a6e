// Fashion-MNIST (Node only), like torchvision's `datasets.FashionMNIST` with
// the `ToTensor()` transform: 28×28 greyscale photos of clothing from
// Zalando's catalogue, in ten classes, as float images in [0, 1].
//
// Two sizes:
// - the bundled subset (the default): 6,000 training and 1,000 test images,
//   exactly 600 and 100 per class, stored in `bundled/fashion-mnist/subset/`.
//   It is the same on every machine, so lessons and tests are reproducible.
// - the full set, 60,000 + 10,000 images: `subset: false` reads it from
//   FASHION_MNIST_SYSTEM_DIR (installed by `apt-get install
//   dataset-fashion-mnist` on Debian and Ubuntu), or `dir: "<folder>"` reads
//   it from any folder holding the four original files, gzipped or not.
//
// The files are in the IDX format of MNIST (see src/data/readers/idx.ts):
// images are bytes 0–255 of shape [N, 28, 28] (0 is the dark background),
// labels bytes 0–9 of shape [N].

import fs from "node:fs";
import path from "node:path";
import { tensor } from "../../core/creation.ts";
import { fromValues } from "../../core/kernels.ts";
import type { Tensor } from "../../core/tensor.ts";
import { DataFileError } from "../errors.ts";
import { parseIdx, readIdx, type IdxArray } from "../readers/idx.ts";
import { BUNDLED_DIR, bundledPath, floatDTypeOption, readBundledContent, type FloatDType } from "./bundled.ts";

/** The class names; label k is FASHION_MNIST_CLASSES[k] (the same names and order as torchvision's `classes`). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]);

/** Where Debian's package `dataset-fashion-mnist` installs the full set. */
export const FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

export interface FashionMNIST {
  /** [N, 1, 28, 28] float32 (default) or float64, in [0, 1]: byte / 255, like torchvision's ToTensor (0 = background). */
  images: Tensor;
  /** int32 [N]: the class of each image, 0–9, an index into `classes`. */
  labels: Tensor;
  /** The ten class names, FASHION_MNIST_CLASSES. */
  classes: readonly string[];
  /** The directory the images were read from. */
  source: string;
}

export interface FashionMNISTOptions {
  /** "train" (default: 6,000 or 60,000 images) or "test" (1,000 or 10,000). */
  split?: "train" | "test";
  /** true (default): the bundled subset. false: the full set, from `dir` or FASHION_MNIST_SYSTEM_DIR. */
  subset?: boolean;
  /** A directory holding the full set's files; giving it means `subset: false`. */
  dir?: string;
  /** The dtype of `images`: "float32" (default) or "float64". */
  dtype?: FloatDType;
}

const SIDE = 28;
const BUNDLED_SUBSET = "fashion-mnist/subset";
/** How many images of each class the bundled subset holds, per split. */
const SUBSET_PER_CLASS = { train: 600, test: 100 } as const;

/** The file names of a split, as published (without ".gz"): train-… for training, t10k-… for test. */
function fileNames(split: "train" | "test"): { images: string; labels: string } {
  const prefix = split === "train" ? "train" : "t10k";
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/** The images and labels of one split as bytes, checked to belong together. */
export interface FashionMNISTBytes {
  /** uint8 [N, 28, 28], row-major. */
  pixels: Uint8Array;
  /** uint8 [N], each 0–9. */
  labels: Uint8Array;
  count: number;
}

/**
 * Checks a split read from two IDX files: images uint8 [N, 28, 28], labels
 * uint8 [N] with the same N, every label 0–9. Errors name the file, and for a
 * bad label its index and value.
 */
export function checkFashionMNIST(images: IdxArray, imagesFile: string, labels: IdxArray, labelsFile: string): FashionMNISTBytes {
  const [count, height, width] = images.shape;
  if (images.dtype !== "uint8" || images.shape.length !== 3 || height !== SIDE || width !== SIDE) {
    throw new DataFileError(imagesFile, `Fashion-MNIST images must be uint8 [N, 28, 28], got ${images.dtype} [${images.shape.join(", ")}]`);
  }
  if (labels.dtype !== "uint8" || labels.shape.length !== 1) {
    throw new DataFileError(labelsFile, `Fashion-MNIST labels must be uint8 [N], got ${labels.dtype} [${labels.shape.join(", ")}]`);
  }
  if (labels.shape[0] !== count) {
    throw new DataFileError(labelsFile, `holds ${labels.shape[0]} labels, but ${imagesFile} holds ${count} images: the counts must match`);
  }
  for (let i = 0; i < labels.data.length; i++) {
    const label = labels.data[i]!;
    if (label > 9) throw new DataFileError(labelsFile, `label ${i} is ${label}, but Fashion-MNIST labels are 0–9`);
  }
  return { pixels: images.data as Uint8Array, labels: labels.data as Uint8Array, count: count! };
}

/** The bundled subset's bytes per split, kept for the rest of the process (the tensors built from them are fresh). */
const bundledSplits = new Map<"train" | "test", FashionMNISTBytes>();

function readBundledSplit(split: "train" | "test"): FashionMNISTBytes {
  const cached = bundledSplits.get(split);
  if (cached !== undefined) return cached;
  const names = fileNames(split);
  const imagesPath = `${BUNDLED_SUBSET}/${names.images}.gz`;
  const labelsPath = `${BUNDLED_SUBSET}/${names.labels}.gz`;
  const imagesFile = bundledPath(imagesPath);
  const labelsFile = bundledPath(labelsPath);
  const images = parseIdx(readBundledContent(imagesPath), imagesFile);
  const labels = parseIdx(readBundledContent(labelsPath), labelsFile);
  const bytes = checkFashionMNIST(images, imagesFile, labels, labelsFile);
  checkClassBalance(bytes.labels, SUBSET_PER_CLASS[split], labelsFile);
  bundledSplits.set(split, bytes);
  return bytes;
}

/** The subset must hold exactly `perClass` images of each of the ten classes. */
export function checkClassBalance(labels: Uint8Array, perClass: number, labelsFile: string): void {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label] = counts[label]! + 1;
  if (labels.length !== 10 * perClass || counts.some((count) => count !== perClass)) {
    throw new DataFileError(labelsFile, `the bundled subset must hold ${10 * perClass} labels, ${perClass} of each class; ` +
      `it holds ${labels.length}, per class ${counts.join(", ")}`);
  }
}

/** The path of `name` in `dir`, as stored (uncompressed) or gzipped (`name.gz`); null if neither exists. */
function findFile(dir: string, name: string): string | null {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function readFullSplit(dir: string, split: "train" | "test"): FashionMNISTBytes {
  const names = fileNames(split);
  const imagesFile = findFile(dir, names.images);
  const labelsFile = findFile(dir, names.labels);
  if (imagesFile === null || labelsFile === null) {
    const expected = [...Object.values(fileNames("train")), ...Object.values(fileNames("test"))].map((name) => `${name}[.gz]`);
    throw new Error(`loadFashionMNIST: the full Fashion-MNIST was not found in ${dir}: ` +
      `it needs the files ${expected.join(", ")} (missing: ${imagesFile === null ? names.images : names.labels}[.gz]). ` +
      `Install it with "apt-get install dataset-fashion-mnist" (into ${FASHION_MNIST_SYSTEM_DIR}), ` +
      `or pass { dir } naming a folder that holds these files, or use the bundled subset (the default).`);
  }
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  return checkFashionMNIST(images, imagesFile, labels, labelsFile);
}

/**
 * torchvision's ToTensor on bytes: each byte b becomes b / 255, so 0 (the
 * background) → 0 and 255 → 1. The result is a new array that only the new
 * images tensor will hold, so it becomes that tensor's storage as it is
 * (fromValues) rather than being copied once more: for the full set that
 * saves 188 MB and a pass over 47 million values.
 */
function toTensorScale(pixels: Uint8Array, dtype: FloatDType): Float32Array | Float64Array {
  const out = dtype === "float32" ? new Float32Array(pixels.length) : new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}

/**
 * Fashion-MNIST images and labels, like torchvision's
 * `FashionMNIST(root, train=split === "train", transform=ToTensor())`
 * stacked into two tensors.
 *
 *   const { images, labels } = loadFashionMNIST();                     // [6000, 1, 28, 28], [6000]
 *   const test = loadFashionMNIST({ split: "test" });                  // [1000, 1, 28, 28]
 *   const full = loadFashionMNIST({ subset: false });                  // [60000, 1, 28, 28], from the system copy
 *   const mine = loadFashionMNIST({ dir: "/data/fashion-mnist" });     // the full set from a folder
 *
 * images: float32 (or float64) [N, 1, 28, 28], values byte / 255 in [0, 1].
 * labels: int32 [N], 0–9, names in `classes`. Every call returns new tensors.
 */
export function loadFashionMNIST(options: FashionMNISTOptions = {}): FashionMNIST {
  const dtype = floatDTypeOption("loadFashionMNIST", options.dtype);
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new Error(`loadFashionMNIST: split must be "train" or "test", got ${JSON.stringify(split)}`);
  }
  if (options.dir !== undefined && options.subset === true) {
    throw new Error(`loadFashionMNIST: { dir } reads the full set from a folder and cannot be combined with { subset: true }`);
  }
  const useSubset = options.dir === undefined && options.subset !== false;
  const source = useSubset ? path.join(BUNDLED_DIR, ...BUNDLED_SUBSET.split("/")) : options.dir ?? FASHION_MNIST_SYSTEM_DIR;
  const bytes = useSubset ? readBundledSplit(split) : readFullSplit(source, split);
  return {
    images: fromValues(toTensorScale(bytes.pixels, dtype), [bytes.count, 1, SIDE, SIDE], dtype),
    labels: tensor(bytes.labels, { dtype: "int32" }),
    classes: FASHION_MNIST_CLASSES,
    source,
  };
}
