// src/data/README.md's examples, run: every ```ts block on that page must
// execute without an error against the real data layer, so that a learner who
// copies one gets working code. A few printed values are checked too.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as gradschool from "../../src/index.ts";

const readme = readFileSync(new URL("../../src/data/README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

// The names an example may use without importing them: the data layer's (as from
// "gradschool/data") and Generator.
const scope: Record<string, unknown> = { ...gradschool.data, Generator: gradschool.Generator };

/** Runs each block in a scope of its own (as a reader would run it alone), capturing console.log. */
function runExamples(code: string[]): unknown[][] {
  const printed: unknown[][] = [];
  const body = code
    .filter((block) => !/^import /m.test(block)) // the import lines are shown for the reader; the scope supplies the names
    .filter((block) => !block.includes("subset: false")) // the full Fashion-MNIST is not installed on every machine
    .map((block) => `{\n${block}}`)
    .join("\n");
  const run = new Function(...Object.keys(scope), "console", body);
  run(...Object.values(scope), { log: (...values: unknown[]) => printed.push(values) });
  return printed;
}

test("src/data/README.md has an example for every loader and pipeline part", () => {
  const all = blocks.join("\n");
  for (const name of ["loadDigits", "loadFashionMNIST", "loadIris", "loadBreastCancer", "loadWine", "loadText", "loadWords",
    "makeMoons", "makeSwissRoll2d", "DataLoader", "randomSplit", "transforms.compose", "Standardizer", "BPETokenizer",
    "CharTokenizer", "randomWindows", "bpttWindows"]) {
    assert.ok(all.includes(name), `an example uses ${name}`);
  }
});

test("the full-set example is the only one skipped, and it names the install directory", () => {
  const skipped = blocks.filter((block) => block.includes("subset: false"));
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!, /\/usr\/share\/datasets\/fashion-mnist/);
});

test("every example in src/data/README.md runs, and the tokenizer example round-trips", () => {
  const printed = runExamples(blocks);
  const [count, decoded, charIds] = printed.at(-1)!;
  assert.equal(decoded, "It is a truth universally acknowledged");
  assert.ok(typeof count === "number" && count < 38, `BPE needs fewer tokens than characters, got ${count}`);
  assert.equal((charIds as Int32Array).length, "Mr. Darcy".length);
});
