// Chapter 10: the lesson runs in quick mode and each of its three models beats
// its baseline; the metrics (ROC AUC, MAE, ECE) and the temperature fit are
// checked against values worked out by hand.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tensor } from "../../src/index.ts";
import { expectedCalibrationError, meanAbsoluteError, reliabilityBins, rocAuc, rocCurve } from "../../chapters/10-deep-learning-in-the-real-world/metrics.ts";
import { fitTemperature, temperatureNll } from "../../chapters/10-deep-learning-in-the-real-world/temperature.ts";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";

describe("chapter 10 lesson (quick)", () => {
  const run = runQuickLesson("10-deep-learning-in-the-real-world");
  test("exits 0 (every target met)", () => assert.equal(run.exitCode, 0, run.stderr));
  test("the autoencoder flags unseen 9s and noise (chance AUC is 0.5)", () => {
    assert.ok(run.value("anomaly ROC AUC, 9s vs digits 0–8") > 0.7);
    assert.ok(run.value("anomaly ROC AUC, noise vs digits 0–8") > 0.95);
  });
  test("the forecaster beats the seasonal-naive forecast", () => {
    assert.ok(run.value("forecast MAE, MLP") < 0.95 * run.value("forecast MAE, seasonal naive (same day last week)"));
    assert.ok(run.value("forecast MAE, MLP") > run.value("forecast MAE floor set by the noise") * 0.9, "no forecast beats the noise");
  });
  test("the classifier is accurate and temperature scaling lowers its test log-loss", () => {
    assert.ok(run.value("classifier test accuracy (%)") > 90);
    assert.ok(run.value("fitted temperature T") > 1, "an unregularised network is overconfident");
    assert.ok(run.value("test log-loss after (nats)") < run.value("test log-loss before (nats)"));
    assert.ok(run.value("test ECE after temperature scaling") < 0.08);
  });
  test("figures are valid", () => {
    assert.ok(run.record.figures.length >= 3);
    for (const figure of run.record.figures) assertValidFigure(figure);
  });
});

describe("metrics", () => {
  test("rocAuc: perfect, reversed, tied and a hand-counted case", () => {
    assert.equal(rocAuc([3, 4], [1, 2]), 1);
    assert.equal(rocAuc([1, 2], [3, 4]), 0);
    assert.equal(rocAuc([1, 1], [1, 1]), 0.5);
    // pairs (p, n): (2,1) win, (2,3) lose, (4,1) win, (4,3) win → 3/4
    assert.equal(rocAuc([2, 4], [1, 3]), 0.75);
    assert.throws(() => rocAuc([], [1]), /at least one/);
  });
  test("rocCurve runs from (0, 0) to (1, 1)", () => {
    const { fpr, tpr } = rocCurve([2, 4], [1, 3]);
    assert.deepEqual([fpr[0], tpr[0], fpr.at(-1), tpr.at(-1)], [0, 0, 1, 1]);
  });
  test("meanAbsoluteError", () => {
    assert.equal(meanAbsoluteError([1, 2, 3], [2, 2, 5]), 1);
    assert.throws(() => meanAbsoluteError([1], [1, 2]), /1 predictions for 2/);
  });
  test("expected calibration error by hand", () => {
    // bin [0.9, 1]: confidences 0.9, 0.95 (mean 0.925), 1 of 2 right → gap 0.425, weight 2/4
    // bin [0.6, 0.7): confidences 0.6, 0.6, both right → gap 0.4, weight 2/4
    const confidences = [0.9, 0.95, 0.6, 0.6], correct = [true, false, true, true];
    assert.ok(Math.abs(expectedCalibrationError(confidences, correct) - (0.5 * 0.425 + 0.5 * 0.4)) < 1e-12);
    assert.equal(reliabilityBins(confidences, correct).length, 2);
    assert.equal(expectedCalibrationError([1, 1], [true, true]), 0);
  });
});

describe("temperature scaling", () => {
  test("the fitted T minimises the validation NLL and softens overconfident logits", () => {
    // Logits 10× too large for labels that are right 3 times out of 4.
    const logits = tensor([[5, -5], [5, -5], [5, -5], [5, -5]], { dtype: "float64" });
    const labels = tensor([0, 0, 0, 1], { dtype: "int32" });
    const t = fitTemperature(logits, labels);
    // softmax(±5/T) should give p = 3/4: 10/T = log 3 → T = 10 / ln 3
    assert.ok(Math.abs(t - 10 / Math.log(3)) < 1e-3, `${t}`);
    assert.ok(temperatureNll(logits, labels, t) < temperatureNll(logits, labels, 1));
    assert.ok(temperatureNll(logits, labels, t) <= temperatureNll(logits, labels, t * 1.1));
  });
});
