import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import zlib from "node:zlib";
import { noGrad } from "../../src/core/grad-mode.ts";
import type { Tensor } from "../../src/core/tensor.ts";
import {
  BUNDLED_DIR, BUNDLED_FILES, bundledFile, bundledPath, floatDTypeOption, readBundledContent, readBundledFile, readVerifiedFile,
  sha256Hex, verifyBytes,
} from "../../src/data/datasets/bundled.ts";
import { loadDigits, parseDigitsCsv } from "../../src/data/datasets/digits.ts";
import {
  FASHION_MNIST_CLASSES, FASHION_MNIST_SYSTEM_DIR, checkClassBalance, checkFashionMNIST, loadFashionMNIST,
} from "../../src/data/datasets/fashion-mnist.ts";
import { IRIS, WINE, loadBreastCancer, loadIris, loadWine, parseTabularCsv } from "../../src/data/datasets/tabular.ts";
import { TEXT_NAMES, loadText, loadWords, splitWordList } from "../../src/data/datasets/text.ts";
import { DataFileError } from "../../src/data/errors.ts";
import { encodeIdx } from "../../src/data/readers/idx.ts";

// The published checksums (src/data/README.md), written out here independently of the manifest in
// bundled.ts, so that a wrong manifest entry fails these tests too.
const PUBLISHED: Record<string, { size: number; sha256: string; gunzipped?: { size: number; sha256: string } }> = {
  "digits/digits.csv.gz": {
    size: 57512, sha256: "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a",
    gunzipped: { size: 264712, sha256: "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8" },
  },
  "tabular/iris.csv": { size: 2734, sha256: "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449" },
  "tabular/breast_cancer.csv": { size: 119913, sha256: "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed" },
  "tabular/wine_data.csv": { size: 11157, sha256: "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede" },
  "descr/digits.rst": { size: 2028, sha256: "0169c12ec98069ddd16fcff040019018d8dc1549f06c9cad1cc1350df61d3b82" },
  "descr/iris.rst": { size: 2782, sha256: "45865560d4b0cd10c7ce7dec6eff327497cf654b0fb9ed86997b6b62f05459f7" },
  "descr/breast_cancer.rst": { size: 5044, sha256: "f45e8035b24b5c0515c4fd7a18d1d1d65ec1f0d051564c803ef0f6166c5693f7" },
  "descr/wine_data.rst": { size: 3449, sha256: "05c7eaa5f6ef99ac9116530d5aee4daadc8d48808a043c2f9ed3dbb53cbe0cca" },
  "fashion-mnist/subset/train-images-idx3-ubyte.gz": {
    size: 2575306, sha256: "865444564547abc3e998979d304af7ed5a63e0eede338e8eedb54351aa408d41",
    gunzipped: { size: 4704016, sha256: "cf313073c7eb485392848071d5c433571d7166043e971e3345b095cc30518084" },
  },
  "fashion-mnist/subset/train-labels-idx1-ubyte.gz": {
    size: 2854, sha256: "e9e7abc35934d53960e757b141b0db473cf190291d7f1c496aeeca247529d87a",
    gunzipped: { size: 6008, sha256: "097b93fbcf9bd5bc648b1a457ddc55c9e4ab49afb33f9ecae8ce068399a75e3a" },
  },
  "fashion-mnist/subset/t10k-images-idx3-ubyte.gz": {
    size: 429301, sha256: "bdd6bb24f2d91d2e528b5b59e23151ef8dc7f51d4b2dc3acb7c3bda49bf5dc2f",
    gunzipped: { size: 784016, sha256: "7cee33c3c6414b1b86c25e665a6c4f41584269de3b7cc9768b1d351922845eef" },
  },
  "fashion-mnist/subset/t10k-labels-idx1-ubyte.gz": {
    size: 474, sha256: "1d1b19f4ec672dc2eb236a7b295b1eb9a92f9000cc65eb044435941f9223b4d3",
    gunzipped: { size: 1008, sha256: "3128d790775889812b73c4f13923559c8b9e281d112c6ea7862acf60a206a909" },
  },
  "text/pride_and_prejudice.txt": { size: 684768, sha256: "dfc684d4f857fa938268f9ab9c5567b64bd0691251eca959644adeabe6287a4d" },
  "words/american-english.txt": { size: 985084, sha256: "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32" },
  "licenses/dataset-fashion-mnist.copyright": { size: 1349, sha256: "193c9c47fa3dc7e614dcd5f4ea5315d69c0a542b698b64dc34ac5bc4b09d5c3a" },
  "licenses/python3-sklearn.copyright": { size: 7355, sha256: "776ecbd53228fd873c0c14ef657b5a89fa20dba286b7e0187bf65a630f88614c" },
  "licenses/r-cran-janeaustenr.copyright": { size: 1405, sha256: "794125a4daa8179106fd86596096de4485ac56a0f615988c24a961cd0571586e" },
  "licenses/wamerican.copyright": { size: 11135, sha256: "1d7c0128f6c72d2270bf1b271b37a3a21267f759161b68c4dc6c501574c0892e" },
};

const temporaryDirs: string[] = [];
function temporaryDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-datasets-"));
  temporaryDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function sha256(bytes: Uint8Array): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
function listFiles(dir: string, prefix = ""): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]);
}

/** How many times each value 0 … classes−1 occurs in an int32 tensor. */
function classCounts(target: Tensor, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const value of target.toTypedArray()) counts[value] = counts[value]! + 1;
  return counts;
}

function minMax(t: Tensor): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of t.toTypedArray()) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return [min, max];
}

/** The numbers on line `line` (1-based) of a CSV text. */
function csvLine(text: string, line: number): number[] {
  return text.split("\n")[line - 1]!.split(",").map(Number);
}

describe("bundled files", () => {
  test("BUNDLED_DIR is src/data/bundled of this checkout", () => {
    assert.equal(path.resolve(BUNDLED_DIR), path.resolve(import.meta.dirname, "../../src/data/bundled"));
  });

  test("the manifest lists exactly the files in src/data/bundled, with the published sizes and checksums", () => {
    assert.deepEqual(BUNDLED_FILES.map((file) => file.path).sort(), listFiles(BUNDLED_DIR).sort());
    assert.deepEqual(BUNDLED_FILES.map((file) => file.path).sort(), Object.keys(PUBLISHED).sort());
    for (const entry of BUNDLED_FILES) {
      const published = PUBLISHED[entry.path]!;
      assert.equal(entry.size, published.size, entry.path);
      assert.equal(entry.sha256, published.sha256, entry.path);
      assert.deepEqual(entry.gunzipped, published.gunzipped, entry.path);
      assert.equal(entry.gunzipped !== undefined, entry.path.endsWith(".gz"), entry.path);
    }
  });

  test("every bundled file, and every .gz file's decompressed bytes, has the published size and sha256", () => {
    for (const [relativePath, published] of Object.entries(PUBLISHED)) {
      const bytes = fs.readFileSync(path.join(BUNDLED_DIR, relativePath));
      assert.equal(bytes.length, published.size, relativePath);
      assert.equal(sha256(bytes), published.sha256, relativePath);
      if (published.gunzipped !== undefined) {
        const content = zlib.gunzipSync(bytes);
        assert.equal(content.length, published.gunzipped.size, relativePath);
        assert.equal(sha256(content), published.gunzipped.sha256, relativePath);
      }
    }
  });

  test("readBundledFile returns the stored bytes; readBundledContent decompresses .gz files", () => {
    const iris = readBundledFile("tabular/iris.csv");
    assert.equal(sha256Hex(iris), PUBLISHED["tabular/iris.csv"]!.sha256);
    assert.equal(readBundledFile("tabular/iris.csv").length, 2734); // second read: already verified
    assert.deepEqual(readBundledContent("tabular/iris.csv"), iris);
    const digits = readBundledContent("digits/digits.csv.gz");
    assert.equal(sha256(digits), PUBLISHED["digits/digits.csv.gz"]!.gunzipped!.sha256);
    assert.equal(bundledPath("tabular/iris.csv"), path.join(BUNDLED_DIR, "tabular", "iris.csv"));
  });

  test("an unknown bundled path is an error listing the bundled files", () => {
    assert.throws(() => bundledFile("tabular/titanic.csv"), /bundledFile: no bundled file "tabular\/titanic\.csv".*tabular\/iris\.csv/);
    assert.throws(() => readBundledFile("nope.txt"), /no bundled file "nope\.txt"/);
  });

  test("a copy with one byte changed, or cut short, is reported as damaged with the way to restore it", () => {
    const dir = temporaryDir();
    const entry = bundledFile("tabular/wine_data.csv");
    const original = fs.readFileSync(bundledPath(entry.path));
    const intact = path.join(dir, "intact.csv");
    fs.writeFileSync(intact, original);
    assert.equal(sha256(readVerifiedFile(intact, entry)), entry.sha256);

    const changed = Buffer.from(original);
    changed[1000] = changed[1000]! ^ 0x01; // one bit of one byte
    const damaged = path.join(dir, "damaged.csv");
    fs.writeFileSync(damaged, changed);
    assert.throws(() => readVerifiedFile(damaged, entry), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.equal(error.file, damaged);
      assert.match(error.message, /damaged/);
      assert.match(error.message, new RegExp(`sha256 ${sha256(changed)}`));
      assert.match(error.message, new RegExp(`should have 11157 bytes with sha256 ${entry.sha256}`));
      assert.match(error.message, /git checkout -- src\/data\/bundled\/tabular\/wine_data\.csv/);
      return true;
    });

    const truncated = path.join(dir, "truncated.csv");
    fs.writeFileSync(truncated, original.subarray(0, 5000));
    assert.throws(() => readVerifiedFile(truncated, entry), /it has 5000 bytes .* should have 11157 bytes/);
    assert.throws(() => readVerifiedFile(path.join(dir, "missing.csv"), entry), /cannot read .*missing\.csv/);
    assert.throws(() => verifyBytes(new Uint8Array(0), "empty", entry), DataFileError);
  });

  test("src/data/README.md lists every bundled file with the manifest's size and sha256, and the total", () => {
    const readme = fs.readFileSync(path.resolve(BUNDLED_DIR, "../README.md"), "utf8");
    const [storedPart, gunzippedPart] = readme.split("The `.gz` files decompress to:") as [string, string];
    const tableRows = (text: string): Map<string, { size: number; sha256: string }> => new Map(
      [...text.matchAll(/^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$/gm)]
        .map((match) => [match[1]!, { size: Number(match[2]!.replaceAll(",", "")), sha256: match[3]! }]));
    const stored = tableRows(storedPart);
    const gunzipped = tableRows(gunzippedPart);
    for (const entry of BUNDLED_FILES) {
      assert.deepEqual(stored.get(entry.path), { size: entry.size, sha256: entry.sha256 }, entry.path);
      assert.deepEqual(gunzipped.get(entry.path), entry.gunzipped, entry.path);
    }
    assert.equal(stored.size, BUNDLED_FILES.length);
    assert.equal(gunzipped.size, 5);
    const total = BUNDLED_FILES.reduce((sum, entry) => sum + entry.size, 0);
    assert.match(readme, new RegExp(`\\*\\*Total \\(${BUNDLED_FILES.length} files\\)\\*\\* \\| \\*\\*${total.toLocaleString("en-US")}\\*\\*`));
  });

  test("src/data/README.md links only to files that exist", () => {
    const dataDir = path.resolve(BUNDLED_DIR, "..");
    const readme = fs.readFileSync(path.join(dataDir, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1]!).filter((link) => !link.startsWith("http"));
    assert.ok(links.length >= 15, `${links.length} links`);
    for (const link of links) assert.ok(fs.existsSync(path.join(dataDir, link)), link);
  });

  test("floatDTypeOption accepts float32 (the default) and float64 only", () => {
    assert.equal(floatDTypeOption("f", undefined), "float32");
    assert.equal(floatDTypeOption("f", "float64"), "float64");
    assert.throws(() => floatDTypeOption("loadIris", "int32"), /loadIris: dtype must be "float32" or "float64", got "int32"/);
  });
});

describe("loadDigits", () => {
  const csv = zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED_DIR, "digits/digits.csv.gz"))).toString("utf8");

  test("shapes, dtypes, values 0–16, labels 0–9 with 174–183 per digit", () => {
    const { data, images, target, targetNames, descr } = loadDigits();
    assert.deepEqual(data.shape, [1797, 64]);
    assert.deepEqual(images.shape, [1797, 1, 8, 8]);
    assert.deepEqual(target.shape, [1797]);
    assert.equal(data.dtype, "float32");
    assert.equal(images.dtype, "float32");
    assert.equal(target.dtype, "int32");
    assert.deepEqual(minMax(data), [0, 16]);
    assert.ok(data.toTypedArray().every((value) => Number.isInteger(value)));
    const counts = classCounts(target, 10);
    assert.equal(counts.reduce((a, b) => a + b), 1797);
    assert.equal(Math.min(...counts), 174);
    assert.equal(Math.max(...counts), 183);
    assert.deepEqual(targetNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert.match(descr, /^\.\. _digits_dataset:/);
    assert.match(descr, /Alpaydin/);
    assert.deepEqual(images.toTypedArray(), data.toTypedArray());
  });

  test("the first and last rows are the CSV's first and last lines", () => {
    const { data, images, target } = loadDigits({ dtype: "float64" });
    assert.equal(data.dtype, "float64");
    assert.equal(images.dtype, "float64");
    const first = csvLine(csv, 1);
    const last = csvLine(csv, 1797);
    assert.deepEqual(data.select(0, 0).tolist(), first.slice(0, 64));
    assert.deepEqual(data.select(0, 1796).tolist(), last.slice(0, 64));
    assert.equal(target.select(0, 0).item(), first[64]);
    assert.equal(target.select(0, 1796).item(), last[64]);
    // pixel (row 2, column 3) of image 0 is column 8·2 + 3 of its CSV line
    assert.equal(images.select(0, 0).select(0, 0).select(0, 2).select(0, 3).item(), first[19]);
  });

  test("parseDigitsCsv rejects bad pixels, labels and layouts, naming the line, column and value", () => {
    const lines = csv.trimEnd().split("\n");
    const withLine = (line: number, replacement: string): string => lines.map((text, i) => (i === line - 1 ? replacement : text)).join("\n");
    const good = lines[4]!.split(",");
    const bad = (column: number, value: string): string => good.map((text, i) => (i === column - 1 ? value : text)).join(",");
    assert.throws(() => parseDigitsCsv(withLine(5, bad(3, "17")), "digits.csv"), /digits\.csv: line 5, column 3: a pixel value must be a whole number from 0 to 16, got 17/);
    assert.throws(() => parseDigitsCsv(withLine(5, bad(10, "2.5")), "digits.csv"), /line 5, column 10: .* got 2\.5/);
    assert.throws(() => parseDigitsCsv(withLine(5, bad(1, "-1")), "digits.csv"), /line 5, column 1: .* got -1/);
    assert.throws(() => parseDigitsCsv(withLine(5, bad(65, "10")), "digits.csv"), /line 5, column 65: the label must be a whole number from 0 to 9, got 10/);
    assert.throws(() => parseDigitsCsv(lines.slice(0, 100).join("\n"), "digits.csv"), /expected 1797 lines of 65 numbers .* got 100 lines of 65/);
    assert.doesNotThrow(() => parseDigitsCsv(csv, "digits.csv"));
  });
});

describe("tabular datasets", () => {
  const cases = [
    {
      name: "iris", load: loadIris, file: "tabular/iris.csv", shape: [150, 4], counts: [50, 50, 50], range: [0.1, 7.9],
      targetNames: ["setosa", "versicolor", "virginica"], card: /Iris/,
      featureNames: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    },
    {
      name: "breast cancer", load: loadBreastCancer, file: "tabular/breast_cancer.csv", shape: [569, 30], counts: [212, 357], range: [0, 4254],
      targetNames: ["malignant", "benign"], card: /Breast cancer wisconsin \(diagnostic\) dataset/,
      featureNames: [
        "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness", "mean compactness", "mean concavity",
        "mean concave points", "mean symmetry", "mean fractal dimension", "radius error", "texture error", "perimeter error",
        "area error", "smoothness error", "compactness error", "concavity error", "concave points error", "symmetry error",
        "fractal dimension error", "worst radius", "worst texture", "worst perimeter", "worst area", "worst smoothness",
        "worst compactness", "worst concavity", "worst concave points", "worst symmetry", "worst fractal dimension",
      ],
    },
    {
      name: "wine", load: loadWine, file: "tabular/wine_data.csv", shape: [178, 13], counts: [59, 71, 48], range: [0.13, 1680],
      targetNames: ["class_0", "class_1", "class_2"], card: /Wine recognition dataset/,
      featureNames: [
        "alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids", "nonflavanoid_phenols",
        "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline",
      ],
    },
  ];

  for (const c of cases) {
    test(`${c.name}: shapes, dtypes, value range, class counts, names and card`, () => {
      const { data, target, featureNames, targetNames, descr } = c.load();
      assert.deepEqual(data.shape, c.shape);
      assert.equal(data.dtype, "float32");
      assert.deepEqual(target.shape, [c.shape[0]]);
      assert.equal(target.dtype, "int32");
      const [min, max] = minMax(data);
      assert.equal(min, Math.fround(c.range[0]!));
      assert.equal(max, Math.fround(c.range[1]!));
      assert.deepEqual(classCounts(target, c.counts.length), c.counts);
      assert.deepEqual(featureNames, c.featureNames);
      assert.deepEqual(targetNames, c.targetNames);
      assert.match(descr, c.card);
    });

    test(`${c.name}: the first and last rows are the CSV's lines 2 and ${c.shape[0]! + 1}`, () => {
      const text = fs.readFileSync(path.join(BUNDLED_DIR, c.file), "utf8");
      const { data, target } = c.load({ dtype: "float64" });
      assert.equal(data.dtype, "float64");
      const first = csvLine(text, 2);
      const last = csvLine(text, c.shape[0]! + 1);
      const features = c.shape[1]!;
      assert.deepEqual(data.select(0, 0).tolist(), first.slice(0, features));
      assert.deepEqual(data.select(0, c.shape[0]! - 1).tolist(), last.slice(0, features));
      assert.equal(target.select(0, 0).item(), first[features]);
      assert.equal(target.select(0, c.shape[0]! - 1).item(), last[features]);
    });
  }

  test("iris is stored in class order; wine's card keeps its Forina credit", () => {
    assert.deepEqual(loadIris().target.slice(0, 48, 53).tolist(), [0, 0, 1, 1, 1]);
    assert.match(loadWine().descr, /Forina, M\. et al, PARVUS/);
  });

  test("parseTabularCsv rejects wrong counts and class names, and (through the reader) bad labels and values, naming the line", () => {
    const text = fs.readFileSync(path.join(BUNDLED_DIR, "tabular/iris.csv"), "utf8");
    const lines = text.split("\n");
    const withLine = (line: number, replacement: string): string => lines.map((t, i) => (i === line - 1 ? replacement : t)).join("\n");
    assert.doesNotThrow(() => parseTabularCsv(text, "iris.csv", IRIS));
    assert.throws(() => parseTabularCsv(text, "iris.csv", WINE), /iris\.csv: loadWine expects 178 samples of 13 features, the file declares 150 of 4/);
    assert.throws(() => parseTabularCsv(withLine(1, "150,4,setosa,versicolor,virginia"), "iris.csv", IRIS),
      /loadIris expects the classes setosa, versicolor, virginica, the file names setosa, versicolor, virginia/);
    assert.throws(() => parseTabularCsv(withLine(7, "5.4,3.9,1.7,0.4,3"), "iris.csv", IRIS), /iris\.csv: line 7, column 5: the label 3 is out of range/);
    assert.throws(() => parseTabularCsv(withLine(7, "5.4,Infinity,1.7,0.4,0"), "iris.csv", IRIS), /iris\.csv: line 7, column 2: "Infinity" is not a number/);
  });
});

describe("loadFashionMNIST: the bundled subset", () => {
  test("train: [6000, 1, 28, 28] float32 in [0, 1], 600 images per class", () => {
    const { images, labels, classes, source } = loadFashionMNIST();
    assert.deepEqual(images.shape, [6000, 1, 28, 28]);
    assert.equal(images.dtype, "float32");
    assert.deepEqual(labels.shape, [6000]);
    assert.equal(labels.dtype, "int32");
    assert.deepEqual(minMax(images), [0, 1]);
    assert.deepEqual(classCounts(labels, 10), new Array(10).fill(600));
    assert.deepEqual(classes, FASHION_MNIST_CLASSES);
    assert.equal(path.resolve(source), path.resolve(BUNDLED_DIR, "fashion-mnist/subset"));
  });

  test("test: [1000, 1, 28, 28], 100 images per class; float64 on request", () => {
    const { images, labels } = loadFashionMNIST({ split: "test", dtype: "float64" });
    assert.deepEqual(images.shape, [1000, 1, 28, 28]);
    assert.equal(images.dtype, "float64");
    assert.deepEqual(classCounts(labels, 10), new Array(10).fill(100));
  });

  test("pixels are the IDX bytes divided by 255, labels the label bytes", () => {
    const pixelBytes = zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED_DIR, "fashion-mnist/subset/t10k-images-idx3-ubyte.gz")));
    const labelBytes = zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED_DIR, "fashion-mnist/subset/t10k-labels-idx1-ubyte.gz")));
    const { images, labels } = loadFashionMNIST({ split: "test", dtype: "float64" });
    const last = 999;
    const expected = Array.from(pixelBytes.subarray(16 + 784 * last, 16 + 784 * (last + 1)), (b) => b / 255);
    assert.deepEqual(Array.from(images.select(0, last).toTypedArray()), expected);
    assert.ok(expected.some((v) => v > 0.5)); // a real image, not a blank one
    assert.deepEqual(Array.from(labels.toTypedArray()), Array.from(labelBytes.subarray(8)));
    const float32 = loadFashionMNIST({ split: "test" }).images.select(0, last).toTypedArray();
    assert.deepEqual(Array.from(float32), expected.map(Math.fround));
  });

  test("the class names are torchvision's", () => {
    assert.deepEqual([...FASHION_MNIST_CLASSES], [
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]);
    assert.equal(FASHION_MNIST_SYSTEM_DIR, "/usr/share/datasets/fashion-mnist");
  });

  test("bad options are errors", () => {
    assert.throws(() => loadFashionMNIST({ split: "validation" as "train" }), /loadFashionMNIST: split must be "train" or "test", got "validation"/);
    assert.throws(() => loadFashionMNIST({ dir: "/tmp", subset: true }), /cannot be combined with \{ subset: true \}/);
    assert.throws(() => loadFashionMNIST({ dtype: "int32" as "float32" }), /loadFashionMNIST: dtype must be/);
  });

  test("checkClassBalance wants exactly perClass labels of each class", () => {
    const balanced = Uint8Array.from({ length: 30 }, (_, i) => i % 10);
    assert.doesNotThrow(() => checkClassBalance(balanced, 3, "labels"));
    const skewed = balanced.slice();
    skewed[0] = 1;
    assert.throws(() => checkClassBalance(skewed, 3, "labels"), /labels: the bundled subset must hold 30 labels, 3 of each class; it holds 30, per class 2, 4, 3/);
    assert.throws(() => checkClassBalance(balanced.subarray(0, 20), 3, "labels"), /it holds 20/);
  });
});

describe("loadFashionMNIST: the full set from a directory", () => {
  const COUNT = 20;
  const pixels = Uint8Array.from({ length: COUNT * 784 }, (_, i) => (i * 37 + 11) % 256);
  const labels = Uint8Array.from({ length: COUNT }, (_, i) => (i * 7) % 10);
  const testPixels = Uint8Array.from({ length: 5 * 784 }, (_, i) => (i * 13) % 256);
  const testLabels = Uint8Array.from([9, 0, 3, 3, 1]);

  /** A directory with the four files, gzipped or not. */
  function writeFullSet(gzipped: boolean, files: { pixels?: Uint8Array; labels?: Uint8Array; imageShape?: number[] } = {}): string {
    const dir = temporaryDir();
    const write = (name: string, bytes: Uint8Array): void =>
      fs.writeFileSync(path.join(dir, gzipped ? `${name}.gz` : name), gzipped ? zlib.gzipSync(bytes) : bytes);
    const trainPixels = files.pixels ?? pixels;
    const trainLabels = files.labels ?? labels;
    const imageShape = files.imageShape ?? [trainPixels.length / 784, 28, 28];
    write("train-images-idx3-ubyte", encodeIdx({ dtype: "uint8", shape: imageShape, data: trainPixels }));
    write("train-labels-idx1-ubyte", encodeIdx({ dtype: "uint8", shape: [trainLabels.length], data: trainLabels }));
    write("t10k-images-idx3-ubyte", encodeIdx({ dtype: "uint8", shape: [5, 28, 28], data: testPixels }));
    write("t10k-labels-idx1-ubyte", encodeIdx({ dtype: "uint8", shape: [5], data: testLabels }));
    return dir;
  }

  for (const gzipped of [true, false]) {
    test(`reads ${gzipped ? "gzipped" : "uncompressed"} IDX files: pixels / 255 and the labels`, () => {
      const dir = writeFullSet(gzipped);
      const train = loadFashionMNIST({ dir });
      assert.deepEqual(train.images.shape, [COUNT, 1, 28, 28]);
      assert.equal(train.images.dtype, "float32");
      assert.deepEqual(Array.from(train.images.toTypedArray()), Array.from(pixels, (b) => Math.fround(b / 255)));
      assert.deepEqual(Array.from(train.labels.toTypedArray()), Array.from(labels));
      assert.equal(train.source, dir);
      const test = loadFashionMNIST({ dir, split: "test", subset: false, dtype: "float64" });
      assert.deepEqual(test.images.shape, [5, 1, 28, 28]);
      assert.deepEqual(Array.from(test.images.toTypedArray()), Array.from(testPixels, (b) => b / 255));
      assert.deepEqual(test.labels.tolist(), [9, 0, 3, 3, 1]);
    });
  }

  test("a directory without the files is an error naming it, the four files and the Debian package", () => {
    const dir = path.join(temporaryDir(), "no-such-dir");
    assert.throws(() => loadFashionMNIST({ dir }), (error: unknown) => {
      assert.ok(error instanceof Error);
      const message = error.message;
      assert.match(message, /^loadFashionMNIST: /);
      assert.ok(message.includes(dir), message);
      for (const name of ["train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]", "t10k-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]"]) {
        assert.ok(message.includes(name), `${name} in ${message}`);
      }
      assert.match(message, /apt-get install dataset-fashion-mnist/);
      return true;
    });
    const onlyImages = temporaryDir();
    fs.writeFileSync(path.join(onlyImages, "t10k-images-idx3-ubyte"), encodeIdx({ dtype: "uint8", shape: [5, 28, 28], data: testPixels }));
    assert.throws(() => loadFashionMNIST({ dir: onlyImages, split: "test" }), /missing: t10k-labels-idx1-ubyte\[\.gz\]/);
  });

  test("a label above 9 is an error naming the file, the index and the value", () => {
    const bad = labels.slice();
    bad[13] = 12;
    const dir = writeFullSet(true, { labels: bad });
    assert.throws(() => loadFashionMNIST({ dir }), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.equal(error.file, path.join(dir, "train-labels-idx1-ubyte.gz"));
      assert.match(error.message, /label 13 is 12, but Fashion-MNIST labels are 0–9/);
      return true;
    });
  });

  test("image and label counts must match; images must be [N, 28, 28] bytes", () => {
    const fewerLabels = writeFullSet(false, { labels: labels.subarray(0, 19) });
    assert.throws(() => loadFashionMNIST({ dir: fewerLabels }), /train-labels-idx1-ubyte: holds 19 labels, but .*train-images-idx3-ubyte holds 20 images/);
    const wrongSize = writeFullSet(false, { imageShape: [COUNT, 784] });
    assert.throws(() => loadFashionMNIST({ dir: wrongSize }), /train-images-idx3-ubyte: Fashion-MNIST images must be uint8 \[N, 28, 28\], got uint8 \[20, 784\]/);
    const image = { dtype: "uint8" as const, shape: [2, 28, 28], data: new Uint8Array(2 * 784) };
    const label = { dtype: "uint8" as const, shape: [2], data: new Uint8Array(2) };
    assert.doesNotThrow(() => checkFashionMNIST(image, "i", label, "l"));
    assert.throws(() => checkFashionMNIST({ ...image, dtype: "float32", data: new Float32Array(2 * 784) }, "i", label, "l"), /i: .* got float32 \[2, 28, 28\]/);
    assert.throws(() => checkFashionMNIST(image, "i", { ...label, shape: [2, 1] }, "l"), /l: Fashion-MNIST labels must be uint8 \[N\], got uint8 \[2, 1\]/);
    assert.throws(() => checkFashionMNIST(image, "i", { ...label, dtype: "int32", data: new Int32Array(2) }, "l"), /l: .* got int32 \[2\]/);
  });

  const installed = fs.existsSync(FASHION_MNIST_SYSTEM_DIR);
  test("the system copy (dataset-fashion-mnist) loads 60,000 + 10,000 images", installed ? {} : { skip: `${FASHION_MNIST_SYSTEM_DIR} not installed` }, () => {
    const train = loadFashionMNIST({ subset: false });
    assert.deepEqual(train.images.shape, [60000, 1, 28, 28]);
    assert.deepEqual(classCounts(train.labels, 10), new Array(10).fill(6000));
    assert.equal(train.source, FASHION_MNIST_SYSTEM_DIR);
    const test = loadFashionMNIST({ subset: false, split: "test" });
    assert.deepEqual(classCounts(test.labels, 10), new Array(10).fill(1000));
  });

  test("without the system copy, subset: false says how to install it", { skip: installed ? "the system copy is installed" : false }, () => {
    assert.throws(() => loadFashionMNIST({ subset: false }), /not found in \/usr\/share\/datasets\/fashion-mnist.*apt-get install dataset-fashion-mnist/);
  });
});

describe("text", () => {
  test("loadText: the whole novel, ASCII, 13,030 lines, 75 distinct characters", () => {
    assert.deepEqual(TEXT_NAMES, ["pride-and-prejudice"]);
    const text = loadText("pride-and-prejudice");
    assert.equal(text.length, 684768);
    assert.equal(text.split("\n").length - 1, 13030);
    assert.equal(new Set(text).size, 75);
    assert.ok(/^[\x00-\x7f]*$/.test(text));
    assert.match(text.slice(0, 60), /PRIDE AND PREJUDICE\s+By Jane Austen/);
    assert.equal(text, fs.readFileSync(path.join(BUNDLED_DIR, "text/pride_and_prejudice.txt"), "utf8"));
  });

  test("loadText: an unknown name lists the available texts", () => {
    assert.throws(() => loadText("emma"), /loadText: no text named "emma"; the available texts are: pride-and-prejudice/);
    assert.throws(() => loadText("toString"), /no text named "toString"/);
  });

  test("loadWords: 104,334 entries with accents and possessives; 63,875 lowercase words", () => {
    const words = loadWords();
    assert.equal(words.length, 104334);
    assert.equal(words[0], "A");
    assert.equal(words.at(-1), "zygotes");
    assert.ok(words.includes("Asunción"));
    assert.ok(words.includes("zygote's"));
    const lower = loadWords({ lowercaseOnly: true });
    assert.equal(lower.length, 63875);
    assert.deepEqual(lower.slice(0, 3), ["a", "aardvark", "aardvarks"]);
    assert.ok(lower.every((word) => /^[a-z]+$/.test(word)));
  });

  test("loadWords returns a new array each call", () => {
    const words = loadWords();
    words.length = 0;
    assert.equal(loadWords().length, 104334);
    const lower = loadWords({ lowercaseOnly: true });
    lower[0] = "changed";
    assert.equal(loadWords({ lowercaseOnly: true })[0], "a");
  });

  test("splitWordList checks the newline at the end, empty lines and the count", () => {
    assert.deepEqual(splitWordList("a\nb\n", "w", 2), ["a", "b"]);
    assert.throws(() => splitWordList("a\nb", "w", 2), /w: a word list must end with a newline/);
    assert.throws(() => splitWordList("a\n\nb\n", "w", 3), /w: line 2 is empty/);
    assert.throws(() => splitWordList("a\nb\n", "w", 3), /w: expected 3 words, one per line, got 2/);
  });
});

describe("every loader returns fresh tensors", () => {
  const loaders: [string, () => Tensor[]][] = [
    ["loadDigits", () => { const d = loadDigits(); return [d.data, d.images, d.target]; }],
    ["loadIris", () => { const d = loadIris(); return [d.data, d.target]; }],
    ["loadBreastCancer", () => { const d = loadBreastCancer(); return [d.data, d.target]; }],
    ["loadWine", () => { const d = loadWine(); return [d.data, d.target]; }],
    ["loadFashionMNIST", () => { const d = loadFashionMNIST({ split: "test" }); return [d.images, d.labels]; }],
  ];
  for (const [name, load] of loaders) {
    test(`${name}: zeroing the returned tensors does not change the next load`, () => {
      const before = load().map((t) => t.toTypedArray());
      noGrad(() => { for (const t of load()) t.zero_(); });
      const afterwards = load().map((t) => t.toTypedArray());
      assert.deepEqual(afterwards, before);
      assert.ok(before.every((values) => values.some((v) => v !== 0)));
    });
  }

  test("names and class lists are copies too", () => {
    const iris = loadIris();
    iris.featureNames[0] = "changed";
    iris.targetNames.pop();
    assert.equal(loadIris().featureNames[0], "sepal length (cm)");
    assert.equal(loadIris().targetNames.length, 3);
    assert.ok(Object.isFrozen(FASHION_MNIST_CLASSES));
  });
});
