// The grid world of chapter 13 and its BFS planner, and the contrastive pieces of its tiny CLIP.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, Generator, arange, manualSeed, randn } from "../../src/index.ts";
import { BigramTextEncoder, characterBigrams, normalizeRows, symmetricInfoNCE } from "../../chapters/13-the-future/contrastive.ts";
import { UNREACHABLE, distancesTo, observe, optimalActions, randomMap, rollout, startCells, step, viewSize, type GridMap } from "../../chapters/13-the-future/gridworld.ts";

// 4×4, walls marked #:   . . . .
//                        . # # .
//                        . # G .
//                        . . . #
const walls = [..."....", ".##.", ".#..", "...#"].flatMap((row) => [...row].map((c) => c === "#"));
const map: GridMap = { size: 4, walls, goal: 10, distance: distancesTo({ size: 4, walls }, 10) };

test("moves stop at walls and edges", () => {
  assert.equal(step(map, 0, 0), 0); // up off the map
  assert.equal(step(map, 0, 3), 1); // right
  assert.equal(step(map, 4, 3), 4); // right into a wall
});

test("BFS distances are shortest path lengths", () => {
  assert.equal(map.distance[10], 0);
  assert.equal(map.distance[11], 1);
  assert.equal(map.distance[14], 1);
  assert.equal(map.distance[0], 6); // around the walls: 0 → 1 → 2 → 3 → 7 → 11 → 10
  assert.equal(map.distance[12], 3); // 12 → 13 → 14 → 10
  assert.equal(map.distance[5], UNREACHABLE); // a wall
  assert.deepEqual(optimalActions(map, 14), [0]);
  assert.deepEqual(optimalActions(map, 10), []);
});

test("following the optimal moves reaches the goal in exactly the BFS distance, from every start", () => {
  for (const start of startCells(map)) {
    const run = rollout(map, start, 20, (cell) => optimalActions(map, cell)[0]!);
    assert.ok(run.reached);
    assert.equal(run.path.length - 1, map.distance[start]);
  }
});

test("random maps are deterministic for a seed, with the goal on a free cell", () => {
  const a = randomMap(6, 0.25, new Generator(5)), b = randomMap(6, 0.25, new Generator(5));
  assert.deepEqual(a.walls, b.walls);
  assert.equal(a.goal, b.goal);
  assert.equal(a.walls[a.goal], false);
});

test("the egocentric view puts the agent in the centre and marks off-map cells as walls", () => {
  const view = viewSize(4), x = new Float32Array(2 * view * view);
  observe(map, 0, x);
  const centre = 3 * view + 3;
  assert.equal(x[centre], 0); // the agent's own cell is free
  assert.equal(x[centre - 1], 1); // left of cell 0 is off the map
  assert.equal(x[view * view + (3 + 2) * view + (3 + 2)], 1); // the goal: 2 rows down, 2 columns right
  assert.equal(x.slice(view * view).reduce((s, v) => s + v, 0), 1);
});

test("symmetric InfoNCE equals the mean of the two cross-entropies, and is small for matching pairs", () => {
  manualSeed(3);
  const u = randn([5, 8]), v = randn([5, 8]);
  const s = normalizeRows(u).matmul(normalizeRows(v).T).mul(10);
  const expected = (F.crossEntropy(s, arange(5)).item() + F.crossEntropy(s.T, arange(5)).item()) / 2;
  assert.ok(Math.abs(symmetricInfoNCE(u, v, 10).item() - expected) < 1e-5);
  assert.ok(symmetricInfoNCE(u, u, 30).item() < 0.1);
  assert.ok(symmetricInfoNCE(u, u, 30).item() < symmetricInfoNCE(u, v, 30).item());
});

test("the text encoder reads bigrams: one vector per text, unknown bigrams are padding", () => {
  assert.deepEqual(characterBigrams("One"), ["^o", "on", "ne", "e$"]);
  const encoder = new BigramTextEncoder(["one", "two"], 4, 3);
  const { ids, counts } = encoder.tokenize(["one", "zz"]);
  assert.deepEqual(ids.shape, [2, 4]);
  assert.deepEqual(Array.from(counts.toTypedArray()), [4, 3]);
  assert.deepEqual(Array.from(ids.toTypedArray().slice(4)), [0, 0, 0, 0]);
  assert.deepEqual(encoder.forwardTexts(["one", "two", "one"]).shape, [3, 3]);
});
