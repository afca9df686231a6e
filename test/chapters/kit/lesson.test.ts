// The lesson runner's pieces: argument parsing, the results table, the folder names.

import assert from "node:assert/strict";
import { test } from "node:test";
import { lessonFolder, parseLessonArguments } from "../../../chapters/_kit/lesson.ts";
import { atLeast, atMost, formatValue, measurementLines, reported } from "../../../chapters/_kit/results.ts";

test("parseLessonArguments reads --quick, --seed, --threads and --out, and names what it does not know", () => {
  assert.deepEqual(parseLessonArguments([]), { quick: false, seed: 0, threads: null, outDir: null });
  assert.deepEqual(parseLessonArguments(["--quick", "--seed", "3", "--threads", "2", "--out", "x"]), { quick: true, seed: 3, threads: 2, outDir: "x" });
  assert.throws(() => parseLessonArguments(["--fast"]), /unknown argument "--fast" \(known: --quick, --seed N, --threads N, --out DIR\)/);
  assert.throws(() => parseLessonArguments(["--seed"]), /--seed needs a value/);
  assert.throws(() => parseLessonArguments(["--seed", "1.5"]), /--seed needs an integer ≥ 0, got "1.5"/);
  assert.throws(() => parseLessonArguments(["--threads", "0"]), /--threads needs an integer ≥ 1/);
});

test("lessonFolder pads the number: 05-convolutional-networks", () => {
  assert.equal(lessonFolder({ number: 5, slug: "convolutional-networks" }), "05-convolutional-networks");
  assert.equal(lessonFolder({ number: 13, slug: "the-future" }), "13-the-future");
});

test("values print with enough digits to read: integers whole, three decimals below 100, one above, tiny values in exponent form", () => {
  assert.equal(formatValue(1200), "1200");
  assert.equal(formatValue(98.612), "98.612");
  assert.equal(formatValue(123.456), "123.5");
  assert.equal(formatValue(0.98612), "0.986");
  assert.equal(formatValue(3.5e-18), "3.5e-18");
  assert.equal(formatValue(-0.25), "-0.250");
});

test("measurementLines aligns the names and gives each target its verdict", () => {
  assert.deepEqual(measurementLines([atLeast("accuracy (%)", 97.5, 96), atMost("loss", 2.5, 2), reported("steps", 300)]), [
    "accuracy (%)  97.500  target ≥ 96  met",
    "loss          2.500  target ≤ 2  MISSED",
    "steps         300",
  ]);
});
