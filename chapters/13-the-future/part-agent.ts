// Part (c) of the lesson: agentic. A policy network learns to plan a path to
// a goal in grid worlds it has never seen, by imitating a planner (BFS).

import path from "node:path";
import { F, Generator, data, noGrad, optim, tensor } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { ProgressBar, atLeast, heading, reported, say, type LessonOptions } from "../_kit/index.ts";
import { ACTIONS, observe, optimalActions, randomMap, rollout, startCells, step, viewSize, type GridMap } from "./gridworld.ts";
import { writeRollouts, type RolloutPanel } from "./gridworld-svg.ts";
import type { PartResult } from "./part-quantization.ts";

const SIZE = 6, WALLS = 0.25;
const FEATURES = 2 * viewSize(SIZE) ** 2;
const MIN_TEST_DISTANCE = 4;

/** The cells at least MIN_TEST_DISTANCE moves from the goal. */
function farStarts(map: GridMap): number[] {
  return startCells(map).filter((cell) => map.distance[cell]! >= MIN_TEST_DISTANCE);
}

/** Every (observation, optimal moves) pair of these maps: the planner's demonstrations. */
function demonstrations(maps: readonly GridMap[]): { x: Float32Array; y: Float32Array; count: number } {
  const starts = maps.map(startCells);
  const count = starts.reduce((n, cells) => n + cells.length, 0);
  const x = new Float32Array(count * FEATURES), y = new Float32Array(count * ACTIONS.length);
  let row = 0;
  maps.forEach((map, m) => {
    for (const cell of starts[m]!) {
      observe(map, cell, x, row * FEATURES);
      const best = optimalActions(map, cell); // when two moves are both optimal, the target gives each half
      for (const action of best) y[row * ACTIONS.length + action] = 1 / best.length;
      row++;
    }
  });
  return { x, y, count };
}

export function runAgent({ quick, seed, outDir }: LessonOptions): PartResult {
  heading("(c) Agents: planning several steps ahead in a grid world");
  say(`An agent moves up, down, left or right on a ${SIZE}×${SIZE} grid with walls (${100 * WALLS} % of cells) to reach a goal.`);
  say("Breadth-first search (BFS) from the goal is a perfect planner: it gives every cell its distance to the goal.");
  say("We train a policy network by imitation: on random maps, at every free cell, the target is the planner's move.");
  say("(Imitation rather than reinforcement learning: a planner exists here, so every step gets a right answer and");
  say(" training takes seconds; REINFORCE would learn from one reward per episode and need far more episodes.)");

  const generator = new Generator(seed + 2);
  const trainMaps = Array.from({ length: quick ? 250 : 3000 }, () => randomMap(SIZE, WALLS, generator));
  // Test starts at least MIN_TEST_DISTANCE moves from the goal: a real multi-step plan, not one lucky move.
  const testMaps = Array.from({ length: quick ? 200 : 500 }, () => randomMap(SIZE, WALLS, generator))
    .filter((map) => farStarts(map).length > 0);
  const demos = demonstrations(trainMaps);
  say(`${trainMaps.length} training maps give ${demos.count.toLocaleString("en")} demonstrations; ${testMaps.length} new maps are kept for the test, each with a start at least ${MIN_TEST_DISTANCE} moves from its goal.`);

  const policy = new MLP({ inFeatures: FEATURES, hiddenSizes: quick ? [64, 64] : [128, 128], outFeatures: ACTIONS.length, activation: "relu" });
  const dataset = new data.TensorDataset(tensor(demos.x, { shape: [demos.count, FEATURES] }), tensor(demos.y, { shape: [demos.count, ACTIONS.length] }));
  const epochs = quick ? 6 : 15;
  const loader = new data.DataLoader(dataset, { batchSize: 128, shuffle: true, generator: new Generator(seed + 3) });
  const optimizer = new optim.AdamW(policy.parameters(), { lr: 2e-3, weightDecay: 0.01 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, 2e-3, { totalSteps: epochs * loader.length });
  const progress = new ProgressBar(epochs * loader.length, { label: "imitation" });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(policy.forward(x), y); // probability targets: the planner's optimal moves
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      progress.tick(1, `epoch ${epoch + 1}/${epochs} · loss ${loss.item().toFixed(3)}`);
    }
  }
  progress.finish();
  policy.eval();

  // The test: one random start per new map, a budget of SIZE² moves; the policy takes its most likely move.
  const budget = SIZE * SIZE;
  const starts = testMaps.map((map) => { const cells = farStarts(map); return cells[Math.floor(generator.random() * cells.length)]!; });
  const paths = policyRollouts(policy, testMaps, starts, budget);
  const randomMove = (): number => Math.floor(generator.random() * ACTIONS.length);
  let policyWins = 0, randomWins = 0, policySteps = 0, optimalSteps = 0, randomSteps = 0, randomOptimal = 0;
  const panels: RolloutPanel[] = [];
  testMaps.forEach((map, m) => {
    const start = starts[m]!, optimal = map.distance[start]!, mine = paths[m]!;
    const reached = mine[mine.length - 1] === map.goal;
    const random = rollout(map, start, budget, randomMove);
    if (reached) { policyWins++; policySteps += mine.length - 1; optimalSteps += optimal; }
    if (random.reached) { randomWins++; randomSteps += random.path.length - 1; randomOptimal += optimal; }
    if (panels.length < 4 && optimal >= 5) {
      const shortest = rollout(map, start, budget, (cell) => optimalActions(map, cell)[0]!).path;
      panels.push({ map, path: mine, shortest, caption: `${reached ? "reached" : "failed"}: ${mine.length - 1} moves, BFS ${optimal}` });
    }
  });
  const successRate = (100 * policyWins) / testMaps.length, randomRate = (100 * randomWins) / testMaps.length;
  const stepRatio = policyWins > 0 ? policySteps / optimalSteps : Infinity;
  const meanSteps = policyWins > 0 ? policySteps / policyWins : 0, meanOptimal = policyWins > 0 ? optimalSteps / policyWins : 0;
  say(`On ${testMaps.length} maps it never saw, the policy reaches the goal ${successRate.toFixed(1)} % of the time (random moves: ${randomRate.toFixed(1)} %).`);
  say(`When it arrives it takes ${meanSteps.toFixed(2)} moves on average where the shortest path is ${meanOptimal.toFixed(2)} (ratio ${stepRatio.toFixed(3)}).`);
  if (randomWins > 0) say(`Random moves, when they arrive, take ${(randomSteps / randomWins).toFixed(1)} moves for a shortest path of ${(randomOptimal / randomWins).toFixed(1)}.`);

  const figure = writeRollouts(path.join(outDir, "agent-rollouts.svg"), panels, "The imitation policy on new maps");
  return {
    measurements: [
      atLeast("agent success rate on new maps (%)", successRate, quick ? 60 : 90),
      reported("random policy success rate (%)", randomRate),
      reported("agent mean moves when it arrives", meanSteps),
      reported("shortest-path (BFS) mean moves on the same episodes", meanOptimal),
      reported("agent moves / shortest-path moves", stepRatio),
    ],
    figures: [figure],
    headline: `the planning agent reaches ${successRate.toFixed(0)} % of goals on new maps (random moves ${randomRate.toFixed(0)} %)`,
  };
}

/** Runs the policy on every map at once, one batched forward pass per move: the cells visited on each map. */
function policyRollouts(policy: MLP, maps: readonly GridMap[], starts: readonly number[], budget: number): number[][] {
  const paths = starts.map((start) => [start]);
  for (let t = 0; t < budget; t++) {
    const active = maps.flatMap((map, m) => (paths[m]!.at(-1) === map.goal ? [] : [m]));
    if (active.length === 0) break;
    const observations = new Float32Array(active.length * FEATURES);
    active.forEach((m, row) => observe(maps[m]!, paths[m]!.at(-1)!, observations, row * FEATURES));
    const moves = noGrad(() => policy.forward(tensor(observations, { shape: [active.length, FEATURES] })).argmax(1).toTypedArray());
    active.forEach((m, row) => paths[m]!.push(step(maps[m]!, paths[m]!.at(-1)!, moves[row]!)));
  }
  return paths;
}
