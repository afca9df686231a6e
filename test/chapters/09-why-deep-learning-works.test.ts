// Chapter 9: the lesson runs in quick mode and its numbers show learning;
// the chapter's helpers (the power-law fit, the text windows) do what they say.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator } from "../../src/index.ts";
import { fitPowerLaw, powerLawAt } from "../../chapters/09-why-deep-learning-works/power-law.ts";
import { ALPHABET, baselineAccuracies, encodeText, nextCharacterWindows, simplifyText } from "../../chapters/09-why-deep-learning-works/text-windows.ts";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";

describe("chapter 9 lesson (quick)", () => {
  const run = runQuickLesson("09-why-deep-learning-works");
  test("exits 0 (every target met)", () => assert.equal(run.exitCode, 0, run.stderr));
  test("the MLP learns the digits (chance is 10 %)", () => assert.ok(run.value("MLP test accuracy (%)") > 85));
  test("a probe on learned features beats one on the features of an untrained network", () => {
    assert.ok(run.value("probe accuracy, hidden layer 3 (%)") > run.value("probe accuracy, hidden layer 3 of an untrained MLP (%)") + 10);
  });
  test("test loss falls with model size and with data size", () => {
    assert.ok(run.value("model-size exponent b") > 0.2);
    assert.ok(run.value("data-size exponent b") > 0.2);
  });
  test("the same MLP learns text: well above both baselines", () => {
    const accuracy = run.value("same MLP on text: next-character accuracy (%)");
    assert.ok(accuracy > run.value("text baseline: bigram (%)") + 3, `${accuracy}`);
    assert.ok(accuracy > run.value("text baseline: most frequent character (%)") + 10, `${accuracy}`);
    assert.ok(run.value("same MLP on digits: test accuracy (%)") > 85);
  });
  test("figures are valid", () => {
    assert.ok(run.record.figures.length >= 4);
    for (const figure of run.record.figures) assertValidFigure(figure);
  });
});

describe("fitPowerLaw", () => {
  test("recovers a and b from exact points", () => {
    const sizes = [10, 20, 50, 100, 1000];
    const law = fitPowerLaw(sizes, sizes.map((n) => 3 * n ** -0.4));
    assert.ok(Math.abs(law.a - 3) < 1e-9 && Math.abs(law.b - 0.4) < 1e-12 && Math.abs(law.r2 - 1) < 1e-12, JSON.stringify(law));
    assert.ok(Math.abs(powerLawAt(law, 400) - 3 * 400 ** -0.4) < 1e-9);
  });
  test("a flat curve has exponent 0; a rising one a negative exponent", () => {
    assert.ok(Math.abs(fitPowerLaw([1, 2, 4], [5, 5, 5]).b) < 1e-12);
    assert.ok(fitPowerLaw([1, 2, 4], [1, 2, 4]).b < 0);
  });
  test("rejects points that have no logarithm, and a single size", () => {
    assert.throws(() => fitPowerLaw([1, 2], [1, 0]), /must be > 0/);
    assert.throws(() => fitPowerLaw([3, 3], [1, 2]), /two different sizes/);
    assert.throws(() => fitPowerLaw([1], [1]), /at least 2/);
  });
});

describe("text windows", () => {
  test("simplifyText keeps letters and single spaces", () => {
    assert.equal(simplifyText("It is a truth, universally\n acknowledged!"), "it is a truth universally acknowledged ");
  });
  test("each window is one-hot per character and labelled with the next character", () => {
    const ids = encodeText("abcabcabcabc");
    const [x, y] = nextCharacterWindows(ids, 3, 5, 0, ids.length, new Generator(1));
    assert.deepEqual(x.shape, [5, 3 * ALPHABET.length]);
    const rows = x.toTypedArray(), labels = y.toTypedArray();
    for (let r = 0; r < 5; r++) {
      const row = Array.from(rows.subarray(r * 81, (r + 1) * 81));
      assert.equal(row.reduce((s, v) => s + v, 0), 3);
      const chars = [0, 1, 2].map((k) => row.slice(k * 27, (k + 1) * 27).indexOf(1));
      assert.equal(labels[r], (chars[2]! + 1) % 3, "in abcabc… the next character follows the last one");
    }
    const { unigram, bigram } = baselineAccuracies(ids, x, y, 3);
    assert.equal(bigram, 100);
    assert.ok(unigram < 100);
  });
  test("encodeText names a character outside the alphabet", () => {
    assert.throws(() => encodeText("a!"), /"!" at 1/);
  });
});
