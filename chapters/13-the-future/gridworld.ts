// A grid world for a planning agent: a square of cells, some of them walls,
// one goal. The agent moves up, down, left or right; a move into a wall or off
// the grid leaves it where it is. An episode ends at the goal or when the step
// budget runs out.
//
// The planner is breadth-first search (BFS) from the goal: it labels every
// cell with its distance to the goal in moves, the length of the shortest
// path. An optimal move is any move to a neighbour one step closer.

import type { Generator } from "../../src/index.ts";

/** The four moves, as (row, column) offsets. */
export const ACTIONS = [
  { name: "up", dRow: -1, dColumn: 0 },
  { name: "down", dRow: 1, dColumn: 0 },
  { name: "left", dRow: 0, dColumn: -1 },
  { name: "right", dRow: 0, dColumn: 1 },
] as const;

/** Distance of a cell from which the goal cannot be reached. */
export const UNREACHABLE = -1;

export interface GridMap {
  size: number;
  /** walls[row * size + column] is true for a wall. */
  walls: boolean[];
  goal: number;
  /** BFS distance of every cell to the goal (UNREACHABLE for walls and cut-off cells). */
  distance: Int32Array;
}

/** The cell one move away, or the same cell when the move hits a wall or the edge. */
export function step(map: Pick<GridMap, "size" | "walls">, cell: number, action: number): number {
  const { dRow, dColumn } = ACTIONS[action]!;
  const row = Math.floor(cell / map.size) + dRow, column = (cell % map.size) + dColumn;
  if (row < 0 || row >= map.size || column < 0 || column >= map.size) return cell;
  const next = row * map.size + column;
  return map.walls[next] ? cell : next;
}

/** Breadth-first search from the goal: the number of moves from every cell to it. */
export function distancesTo(map: Pick<GridMap, "size" | "walls">, goal: number): Int32Array {
  const distance = new Int32Array(map.size * map.size).fill(UNREACHABLE);
  distance[goal] = 0;
  const queue = [goal];
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head]!;
    for (let action = 0; action < ACTIONS.length; action++) {
      const next = step(map, cell, action); // moves are reversible, so neighbours of the goal side are found the same way
      if (next !== cell && distance[next] === UNREACHABLE) {
        distance[next] = distance[cell]! + 1;
        queue.push(next);
      }
    }
  }
  return distance;
}

/** The moves that bring `cell` one step closer to the goal (empty at the goal or when unreachable). */
export function optimalActions(map: GridMap, cell: number): number[] {
  const here = map.distance[cell]!;
  if (here <= 0) return [];
  return ACTIONS.map((_, action) => action).filter((action) => map.distance[step(map, cell, action)] === here - 1);
}

/** A random map: each cell a wall with probability `wallDensity`, the goal on a free cell. */
export function randomMap(size: number, wallDensity: number, generator: Generator): GridMap {
  const walls = Array.from({ length: size * size }, () => generator.random() < wallDensity);
  const free = walls.flatMap((wall, cell) => (wall ? [] : [cell]));
  if (free.length < 2) return randomMap(size, wallDensity, generator);
  const goal = free[Math.floor(generator.random() * free.length)]!;
  return { size, walls, goal, distance: distancesTo({ size, walls }, goal) };
}

/** The cells from which the goal can be reached, the goal excluded: the possible starts. */
export function startCells(map: GridMap): number[] {
  return Array.from(map.distance).flatMap((d, cell) => (d > 0 ? [cell] : []));
}

/** The side of the agent's view: wide enough to see the whole map from any cell. */
export function viewSize(size: number): number {
  return 2 * size - 1;
}

/**
 * What the policy sees, centred on the agent (egocentric): two planes of
 * (2·size − 1)², walls (cells off the map count as walls) and the goal, 1
 * where present and 0 elsewhere, flattened into 2·(2·size − 1)² numbers.
 * Centred on the agent, "the goal is up and to the left" looks the same
 * wherever the agent stands, which makes the moves much easier to learn.
 */
export function observe(map: GridMap, agent: number, into: Float32Array, offset = 0): void {
  const view = viewSize(map.size), plane = view * view;
  const agentRow = Math.floor(agent / map.size), agentColumn = agent % map.size;
  for (let r = 0; r < view; r++) {
    for (let c = 0; c < view; c++) {
      const row = agentRow + r - (map.size - 1), column = agentColumn + c - (map.size - 1);
      const inside = row >= 0 && row < map.size && column >= 0 && column < map.size;
      const cell = row * map.size + column;
      into[offset + r * view + c] = !inside || map.walls[cell] ? 1 : 0;
      into[offset + plane + r * view + c] = inside && cell === map.goal ? 1 : 0;
    }
  }
}

export interface Rollout {
  /** The cells visited, start first. */
  path: number[];
  reached: boolean;
}

/** Runs a policy (a function from the current cell to a move) from `start` for at most `budget` moves. */
export function rollout(map: GridMap, start: number, budget: number, policy: (cell: number) => number): Rollout {
  const path = [start];
  let cell = start;
  for (let t = 0; t < budget && cell !== map.goal; t++) {
    cell = step(map, cell, policy(cell));
    path.push(cell);
  }
  return { path, reached: cell === map.goal };
}
