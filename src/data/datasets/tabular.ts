// Three small tables for classification (Node only), like scikit-learn's
// `load_iris()`, `load_breast_cancer()` and `load_wine()`: each row is one
// sample described by a few measured numbers, with a class label.
//
//   iris           150 flowers × 4 measurements (cm),      3 species      50 / 50 / 50
//   breast cancer  569 tumours × 30 cell-nucleus features, 2 diagnoses   212 malignant / 357 benign
//   wine           178 wines   × 13 chemical measurements, 3 cultivars   59 / 71 / 48
//
// The files are scikit-learn's own CSVs (`bundled/tabular/`), whose first
// line is not column names but `n_samples,n_features,<class names…>`; the
// feature names below are the ones scikit-learn's loader attaches.
// The features are on very different scales (wine's proline is in the
// hundreds, its hue around 1): standardize them before gradient descent,
// x' = (x − mean) / std, column by column.

import { tensor } from "../../core/creation.ts";
import type { Tensor } from "../../core/tensor.ts";
import { DataFileError } from "../errors.ts";
import { decodeUtf8, parseSklearnCsv, type SklearnCsv } from "../readers/csv.ts";
import { bundledPath, floatDTypeOption, readBundledFile, type FloatDType } from "./bundled.ts";

export interface TabularDataset {
  /** [samples, features], float32 (default) or float64: one row per sample, one column per feature (unscaled). */
  data: Tensor;
  /** int32 [samples]: the class of each sample, an index into targetNames. */
  target: Tensor;
  /** The name of each column of data, as in scikit-learn. */
  featureNames: string[];
  /** The name of each class. */
  targetNames: string[];
  /** The dataset card (`bundled/descr/*.rst`): what was measured, by whom, and what to cite. */
  descr: string;
}

/** What one bundled table must contain. */
export interface TabularSpec {
  /** The function name used in error messages, e.g. "loadIris". */
  loader: string;
  /** The CSV and the dataset card, under src/data/bundled. */
  file: string;
  card: string;
  samples: number;
  featureNames: readonly string[];
  targetNames: readonly string[];
}

/** The ten measurements of a cell nucleus; breast cancer has each one as a mean, a standard error and a worst value. */
const NUCLEUS_FEATURES = [
  "radius", "texture", "perimeter", "area", "smoothness",
  "compactness", "concavity", "concave points", "symmetry", "fractal dimension",
];

export const IRIS: TabularSpec = {
  loader: "loadIris",
  file: "tabular/iris.csv",
  card: "descr/iris.rst",
  samples: 150,
  featureNames: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
  targetNames: ["setosa", "versicolor", "virginica"],
};

export const BREAST_CANCER: TabularSpec = {
  loader: "loadBreastCancer",
  file: "tabular/breast_cancer.csv",
  card: "descr/breast_cancer.rst",
  samples: 569,
  featureNames: [
    ...NUCLEUS_FEATURES.map((name) => `mean ${name}`),
    ...NUCLEUS_FEATURES.map((name) => `${name} error`),
    ...NUCLEUS_FEATURES.map((name) => `worst ${name}`),
  ],
  targetNames: ["malignant", "benign"],
};

export const WINE: TabularSpec = {
  loader: "loadWine",
  file: "tabular/wine_data.csv",
  card: "descr/wine_data.rst",
  samples: 178,
  featureNames: [
    "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
    "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
  ],
  targetNames: ["class_0", "class_1", "class_2"],
};

/**
 * Reads a scikit-learn CSV (named `file` in errors) and checks it against
 * `spec`: the sample and feature counts and the class names. (parseSklearnCsv
 * has already checked that every value is a finite number and every label a
 * class index, naming the line of any that is not.)
 */
export function parseTabularCsv(text: string, file: string, spec: TabularSpec): SklearnCsv {
  const table = parseSklearnCsv(text, file);
  const features = spec.featureNames.length;
  if (table.nSamples !== spec.samples || table.nFeatures !== features) {
    throw new DataFileError(file, `${spec.loader} expects ${spec.samples} samples of ${features} features, the file declares ${table.nSamples} of ${table.nFeatures}`);
  }
  if (table.targetNames.join(",") !== spec.targetNames.join(",")) {
    throw new DataFileError(file, `${spec.loader} expects the classes ${spec.targetNames.join(", ")}, the file names ${table.targetNames.join(", ")}`);
  }
  return table;
}

interface DecodedTable {
  table: SklearnCsv;
  descr: string;
}

/** Decoded files by path, kept for the rest of the process (the tensors built from them are fresh on every call). */
const decodedTables = new Map<string, DecodedTable>();

function decodeTable(spec: TabularSpec): DecodedTable {
  let decoded = decodedTables.get(spec.file);
  if (decoded === undefined) {
    const file = bundledPath(spec.file);
    const table = parseTabularCsv(decodeUtf8(readBundledFile(spec.file), file), file, spec);
    const descr = decodeUtf8(readBundledFile(spec.card), bundledPath(spec.card));
    decoded = { table, descr };
    decodedTables.set(spec.file, decoded);
  }
  return decoded;
}

/** A fresh TabularDataset for `spec`, with data in `dtype`. */
function loadTable(spec: TabularSpec, dtype: FloatDType): TabularDataset {
  const { table, descr } = decodeTable(spec);
  return {
    data: tensor(table.data, { dtype, shape: [table.nSamples, table.nFeatures] }),
    target: tensor(table.target, { dtype: "int32" }),
    featureNames: [...spec.featureNames],
    targetNames: [...spec.targetNames],
    descr,
  };
}

/**
 * Fisher's iris flowers, like scikit-learn's `load_iris()`.
 *
 *   const { data, target } = loadIris();   // data [150, 4], target [150]
 *
 * data: float32 (or `dtype: "float64"`) [150, 4], lengths and widths in cm,
 * 0.1–7.9. target: int32 [150], 0 setosa, 1 versicolor, 2 virginica (50
 * each, in that order). Every call returns new tensors.
 */
export function loadIris(options: { dtype?: FloatDType } = {}): TabularDataset {
  return loadTable(IRIS, floatDTypeOption("loadIris", options.dtype));
}

/**
 * The Wisconsin diagnostic breast cancer data, like scikit-learn's
 * `load_breast_cancer()`.
 *
 *   const { data, target } = loadBreastCancer();   // data [569, 30], target [569]
 *
 * data: float32 (or `dtype: "float64"`) [569, 30], ten features of the cell
 * nuclei in a biopsy image, each as a mean, a standard error and a worst
 * (largest) value; from 0 (concavity) up to 4254 (worst area).
 * target: int32 [569], 0 malignant (212), 1 benign (357). Every call returns
 * new tensors.
 */
export function loadBreastCancer(options: { dtype?: FloatDType } = {}): TabularDataset {
  return loadTable(BREAST_CANCER, floatDTypeOption("loadBreastCancer", options.dtype));
}

/**
 * Chemical analyses of Italian wines from three cultivars, like
 * scikit-learn's `load_wine()`.
 *
 *   const { data, target } = loadWine();   // data [178, 13], target [178]
 *
 * data: float32 (or `dtype: "float64"`) [178, 13], from 0.13 (nonflavanoid
 * phenols) up to 1680 (proline). target: int32 [178], class_0 (59), class_1
 * (71), class_2 (48), in that order. Every call returns new tensors.
 */
export function loadWine(options: { dtype?: FloatDType } = {}): TabularDataset {
  return loadTable(WINE, floatDTypeOption("loadWine", options.dtype));
}
