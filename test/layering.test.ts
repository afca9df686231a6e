// The shape of the source tree, checked (DESIGN.md, "The layers"):
// - each layer imports only from itself and the layers below it;
// - Node-only modules (`node:fs`, `node:zlib`, `node:worker_threads`, …) are
//   reached only from the files listed in NODE_FILES, so that everything else
//   (core, nn, the data pipeline, tokenizers) could run in a browser unchanged.
// The second rule is checked on the whole import closure of every file: a
// browser-clean file may not import a Node file even indirectly.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Lower layers first; a file may import its own layer and any layer before it. */
const LAYERS = ["core", "parallel", "data", "nn", "architectures"];

/** Files (or folders, ending in "/") allowed to reach Node's modules, relative to src/. */
const NODE_FILES = [
  "index.ts", // the package entry installs the worker-thread backend
  "parallel/",
  "data/index.ts",
  "data/files.ts",
  "data/readers/",
  "data/datasets/",
  "data/tokenizers/files.ts",
  "data/tokenizers/index.ts",
  "nn/serialization.ts",
  "nn/checkpoint.ts",
];

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

/** The module specifiers a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*"([^"]+)"/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/(?:^|\n)\s*import\s*"([^"]+)"/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/new Worker\(\s*new URL\(\s*"([^"]+)"/g)) specifiers.push(match[1]!);
  return specifiers;
}

const files = sourceFiles(SRC).map((file) => path.relative(SRC, file).split(path.sep).join("/"));
const imports = new Map(files.map((file) => [file, importsOf(path.join(SRC, file))]));

function layerOf(file: string): number {
  return LAYERS.indexOf(file.split("/")[0]!); // -1 for src/index.ts, which may import everything
}

function resolveRelative(from: string, specifier: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

test("each layer imports only from itself and the layers below it", () => {
  const violations: string[] = [];
  for (const [file, specifiers] of imports) {
    const layer = layerOf(file);
    if (layer === -1) continue;
    for (const specifier of specifiers) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveRelative(file, specifier);
      const targetLayer = layerOf(target);
      if (targetLayer > layer || (targetLayer === -1 && !target.startsWith(LAYERS[layer]!))) {
        violations.push(`${file} imports ${target}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test("only the listed Node files reach node: modules, directly or through their imports", () => {
  const isNodeFile = (file: string) => NODE_FILES.some((allowed) => (allowed.endsWith("/") ? file.startsWith(allowed) : file === allowed));
  const reachesNode = new Map<string, string | null>();
  /** The first node: module in a file's import closure, or null. */
  function nodeModuleReachedFrom(file: string, visiting: Set<string>): string | null {
    const known = reachesNode.get(file);
    if (known !== undefined) return known;
    if (visiting.has(file)) return null;
    visiting.add(file);
    let found: string | null = null;
    for (const specifier of imports.get(file) ?? []) {
      if (specifier.startsWith("node:")) found = `${specifier} (in ${file})`;
      else if (specifier.startsWith(".")) found = nodeModuleReachedFrom(resolveRelative(file, specifier), visiting);
      if (found) break;
    }
    visiting.delete(file);
    reachesNode.set(file, found);
    return found;
  }
  const violations = files
    .filter((file) => !isNodeFile(file))
    .map((file) => [file, nodeModuleReachedFrom(file, new Set())] as const)
    .filter(([, reached]) => reached !== null)
    .map(([file, reached]) => `${file} reaches ${reached}`);
  assert.deepEqual(violations, []);
  // The check is live: a file known to use Node is caught by it.
  assert.match(nodeModuleReachedFrom("nn/serialization.ts", new Set()) ?? "", /^node:fs/);
});
