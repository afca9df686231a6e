// The datasets that ship inside the repository (Node only): where they are,
// what every file must contain, and reading a file with a check that it is
// intact.
//
// torchvision and scikit-learn download or unpack their datasets on first use
// and check an md5 (torchvision's `check_integrity`) or a sha256
// (scikit-learn's `RemoteFileMetadata.checksum`). Ours are already here, in
// `src/data/bundled/`; the manifest below holds each file's size and sha256,
// so a file damaged on disk (a bad checkout, an editor that rewrote line
// endings, a stray edit) is caught before it becomes a silently wrong lesson.
// For gzip files the manifest also holds the size and sha256 of the
// decompressed bytes, which checks the gzip decoder as well.
//
// Every file is hashed at most once per process: the first read checks it,
// later reads trust it.

import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DataFileError } from "../errors.ts";
import { readFileBytes } from "../files.ts";
import { gunzip } from "../readers/gzip.ts";

/** The absolute path of `src/data/bundled/` (with a trailing separator), found from this file's own location. */
export const BUNDLED_DIR: string = fileURLToPath(new URL("../bundled/", import.meta.url));

/** What one bundled file must be: its size in bytes and the sha256 of its bytes. */
export interface BundledFile {
  /** Path under `src/data/bundled/`, with forward slashes, e.g. "tabular/iris.csv". */
  path: string;
  size: number;
  /** Lower-case hex sha256 of the file exactly as stored. */
  sha256: string;
  /** For `.gz` files: the size and sha256 of the decompressed bytes. */
  gunzipped?: { size: number; sha256: string };
}

/** Every file in `src/data/bundled/`, with the checksums published in `src/data/README.md`. */
export const BUNDLED_FILES: readonly BundledFile[] = [
  {
    path: "descr/breast_cancer.rst", size: 5044,
    sha256: "f45e8035b24b5c0515c4fd7a18d1d1d65ec1f0d051564c803ef0f6166c5693f7",
  },
  {
    path: "descr/digits.rst", size: 2028,
    sha256: "0169c12ec98069ddd16fcff040019018d8dc1549f06c9cad1cc1350df61d3b82",
  },
  {
    path: "descr/iris.rst", size: 2782,
    sha256: "45865560d4b0cd10c7ce7dec6eff327497cf654b0fb9ed86997b6b62f05459f7",
  },
  {
    path: "descr/wine_data.rst", size: 3449,
    sha256: "05c7eaa5f6ef99ac9116530d5aee4daadc8d48808a043c2f9ed3dbb53cbe0cca",
  },
  {
    path: "digits/digits.csv.gz", size: 57512,
    sha256: "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a",
    gunzipped: { size: 264712, sha256: "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8" },
  },
  {
    path: "fashion-mnist/subset/t10k-images-idx3-ubyte.gz", size: 429301,
    sha256: "bdd6bb24f2d91d2e528b5b59e23151ef8dc7f51d4b2dc3acb7c3bda49bf5dc2f",
    gunzipped: { size: 784016, sha256: "7cee33c3c6414b1b86c25e665a6c4f41584269de3b7cc9768b1d351922845eef" },
  },
  {
    path: "fashion-mnist/subset/t10k-labels-idx1-ubyte.gz", size: 474,
    sha256: "1d1b19f4ec672dc2eb236a7b295b1eb9a92f9000cc65eb044435941f9223b4d3",
    gunzipped: { size: 1008, sha256: "3128d790775889812b73c4f13923559c8b9e281d112c6ea7862acf60a206a909" },
  },
  {
    path: "fashion-mnist/subset/train-images-idx3-ubyte.gz", size: 2575306,
    sha256: "865444564547abc3e998979d304af7ed5a63e0eede338e8eedb54351aa408d41",
    gunzipped: { size: 4704016, sha256: "cf313073c7eb485392848071d5c433571d7166043e971e3345b095cc30518084" },
  },
  {
    path: "fashion-mnist/subset/train-labels-idx1-ubyte.gz", size: 2854,
    sha256: "e9e7abc35934d53960e757b141b0db473cf190291d7f1c496aeeca247529d87a",
    gunzipped: { size: 6008, sha256: "097b93fbcf9bd5bc648b1a457ddc55c9e4ab49afb33f9ecae8ce068399a75e3a" },
  },
  {
    path: "licenses/dataset-fashion-mnist.copyright", size: 1349,
    sha256: "193c9c47fa3dc7e614dcd5f4ea5315d69c0a542b698b64dc34ac5bc4b09d5c3a",
  },
  {
    path: "licenses/python3-sklearn.copyright", size: 7355,
    sha256: "776ecbd53228fd873c0c14ef657b5a89fa20dba286b7e0187bf65a630f88614c",
  },
  {
    path: "licenses/r-cran-janeaustenr.copyright", size: 1405,
    sha256: "794125a4daa8179106fd86596096de4485ac56a0f615988c24a961cd0571586e",
  },
  {
    path: "licenses/wamerican.copyright", size: 11135,
    sha256: "1d7c0128f6c72d2270bf1b271b37a3a21267f759161b68c4dc6c501574c0892e",
  },
  {
    path: "tabular/breast_cancer.csv", size: 119913,
    sha256: "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed",
  },
  {
    path: "tabular/iris.csv", size: 2734,
    sha256: "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
  },
  {
    path: "tabular/wine_data.csv", size: 11157,
    sha256: "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede",
  },
  {
    path: "text/pride_and_prejudice.txt", size: 684768,
    sha256: "dfc684d4f857fa938268f9ab9c5567b64bd0691251eca959644adeabe6287a4d",
  },
  {
    path: "words/american-english.txt", size: 985084,
    sha256: "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32",
  },
];

/** The manifest entry of a bundled file; an unknown path is an error listing the known ones. */
export function bundledFile(relativePath: string): BundledFile {
  const entry = BUNDLED_FILES.find((file) => file.path === relativePath);
  if (entry === undefined) {
    const known = BUNDLED_FILES.map((file) => file.path).join(", ");
    throw new Error(`bundledFile: no bundled file "${relativePath}"; the bundled files are: ${known}`);
  }
  return entry;
}

/** The absolute path of a bundled file, e.g. bundledPath("tabular/iris.csv"). */
export function bundledPath(relativePath: string): string {
  return path.join(BUNDLED_DIR, ...bundledFile(relativePath).path.split("/"));
}

/** The sha256 of some bytes, as lower-case hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

/**
 * Checks that `bytes` (read from `file`) have the size and sha256 that
 * `expected` records, and throws a DataFileError naming the file, both
 * checksums and how to get the original back if they do not.
 */
export function verifyBytes(bytes: Uint8Array, file: string, expected: { path: string; size: number; sha256: string }): void {
  const actual = sha256Hex(bytes);
  if (bytes.length === expected.size && actual === expected.sha256) return;
  throw new DataFileError(file,
    `the bundled file is damaged: it has ${bytes.length} bytes with sha256 ${actual}, ` +
    `but should have ${expected.size} bytes with sha256 ${expected.sha256}. ` +
    `Restore it from the repository with: git checkout -- src/data/bundled/${expected.path}`);
}

/**
 * Reads the file at `file` and checks it against the manifest entry `expected`
 * (the size and sha256 of `expected.path`). Used by readBundledFile; callable
 * on any copy of a bundled file.
 */
export function readVerifiedFile(file: string, expected: BundledFile): Uint8Array {
  const bytes = readFileBytes(file, "readBundledFile");
  verifyBytes(bytes, file, expected);
  return bytes;
}

/** Absolute paths of the bundled files whose sha256 this process has already checked. */
const verifiedFiles = new Set<string>();

/**
 * The bytes of a bundled file, exactly as stored (still gzipped for `.gz`).
 * The first read in a process checks the size and sha256 against the
 * manifest; a mismatch throws a DataFileError that says how to restore it.
 */
export function readBundledFile(relativePath: string): Uint8Array {
  const entry = bundledFile(relativePath);
  const file = bundledPath(relativePath);
  if (verifiedFiles.has(file)) return readFileBytes(file, "readBundledFile");
  const bytes = readVerifiedFile(file, entry);
  verifiedFiles.add(file);
  return bytes;
}

/**
 * The content of a bundled file: for `.gz` files the decompressed bytes
 * (their size is checked against the manifest, which also caps how much the
 * decoder may write), for the others the bytes as stored.
 */
export function readBundledContent(relativePath: string): Uint8Array {
  const entry = bundledFile(relativePath);
  const stored = readBundledFile(relativePath);
  if (entry.gunzipped === undefined) return stored;
  const file = bundledPath(relativePath);
  const content = gunzip(stored, file, { maxOutputBytes: entry.gunzipped.size });
  if (content.length !== entry.gunzipped.size) {
    throw new DataFileError(file, `decompressed to ${content.length} bytes, but should give ${entry.gunzipped.size}`);
  }
  return content;
}

/** The float dtypes a dataset loader can return its features in. */
export type FloatDType = "float32" | "float64";

/** `dtype` if it is "float32" or "float64" (undefined means float32); anything else is an error naming `who`. */
export function floatDTypeOption(who: string, dtype: unknown): FloatDType {
  if (dtype === undefined) return "float32";
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new Error(`${who}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
}
