import assert from "node:assert/strict";
import { test } from "node:test";
import { CausalSelfAttention } from "../../src/architectures/gpt-attention.ts";
import { manualSeed, randn } from "../../src/index.ts";
import { attentionByHand, causalMask } from "../../chapters/07-transformers/attention-by-hand.ts";
import { sinusoidalPositionalEncoding } from "../../chapters/07-transformers/positional-encoding.ts";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";

test("attention by hand equals CausalSelfAttention.forward, with and without biases", () => {
  manualSeed(1);
  for (const bias of [true, false]) {
    const layer = new CausalSelfAttention({ nEmbd: 12, nHead: 3, dropout: 0, bias });
    const x = randn([2, 7, 12]);
    const steps = attentionByHand(layer, x);
    assert.deepEqual(steps.weights.shape, [2, 3, 7, 7]);
    assert.ok(steps.output.sub(layer.forward(x)).abs().max().item() < 1e-5);
    // Rows sum to 1, and nothing above the diagonal: no token looks ahead.
    assert.ok(steps.weights.sum(-1).sub(1).abs().max().item() < 1e-5);
    assert.equal(steps.weights.mul(causalMask(7).ne(0).float()).abs().sum().item(), 0);
  }
});

test("the causal mask is 0 on and below the diagonal and −∞ above it", () => {
  assert.deepEqual(causalMask(3).tolist(), [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
});

test("the sinusoidal encoding: sin and cos pairs, position 0 is (0, 1, 0, 1, …)", () => {
  const encoding = sinusoidalPositionalEncoding(50, 8);
  assert.deepEqual(encoding.shape, [50, 8]);
  assert.deepEqual(encoding.select(0, 0).tolist(), [0, 1, 0, 1, 0, 1, 0, 1]);
  assert.ok(Math.abs(encoding.select(0, 7).select(0, 0).item() - Math.sin(7)) < 1e-6);
  assert.ok(Math.abs(encoding.select(0, 7).select(0, 3).item() - Math.cos(7 / 10000 ** (2 / 8))) < 1e-6);
  assert.throws(() => sinusoidalPositionalEncoding(4, 5), /even/);
});

const run = runQuickLesson("07-transformers");

test("the quick lesson exits 0", () => assert.equal(run.exitCode, 0, run.stderr));

test("BPE packs about two bytes into a token", () => {
  assert.ok(run.value("BPE: held-out bytes per token, 512 tokens") > 1.8);
});

test("the hand-written attention equals the layer, untrained and trained", () => {
  assert.ok(run.value("attention by hand: max |difference| from the layer") < 1e-5);
  assert.ok(run.value("GPT: attention by hand vs trained layer, max |difference|") < 1e-5);
});

test("the GPT learns context: its validation loss is well below the unigram baseline", () => {
  assert.ok(run.value("GPT: validation loss (nats/char)") < run.value("GPT: unigram baseline (nats/char)") - 0.25);
});

test("the tiny ViT reads digits well above chance (10 %)", () => {
  assert.ok(run.value("ViT: test accuracy (%)") > 30);
});

test("figures are valid", () => {
  assert.ok(run.record.figures.length >= 5);
  for (const figure of run.record.figures) assertValidFigure(figure);
});
