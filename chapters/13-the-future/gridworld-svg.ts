// Drawing grid-world rollouts as one SVG: walls in grey, the goal in green,
// the start as a ring, the agent's path as a blue line and a shortest path
// (BFS) as a dashed orange line, one panel per map.

import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../src/data/files.ts";
import type { GridMap } from "./gridworld.ts";

export interface RolloutPanel {
  map: GridMap;
  /** The agent's cells, start first. */
  path: readonly number[];
  /** A shortest path from the same start. */
  shortest: readonly number[];
  caption: string;
}

const CELL = 28, GAP = 24, CAPTION = 22;

export function rolloutSvg(panels: readonly RolloutPanel[], title: string): string {
  const size = panels[0]?.map.size ?? 1;
  const panelWidth = size * CELL, panelHeight = size * CELL + CAPTION;
  const width = panels.length * (panelWidth + GAP) + GAP, height = panelHeight + 2 * GAP + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escape(title)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const left = GAP + p * (panelWidth + GAP), top = GAP + 10;
    const centre = (cell: number): [number, number] =>
      [left + ((cell % size) + 0.5) * CELL, top + (Math.floor(cell / size) + 0.5) * CELL];
    for (let cell = 0; cell < size * size; cell++) {
      const x = left + (cell % size) * CELL, y = top + Math.floor(cell / size) * CELL;
      const fill = panel.map.walls[cell] ? "#555555" : cell === panel.map.goal ? "#009E73" : "#f4f4f4";
      parts.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${fill}" stroke="#cccccc"/>`);
    }
    const line = (cells: readonly number[], colour: string, dash: string, offset: number): string =>
      `<polyline points="${cells.map((c) => centre(c).map((v) => v + offset).join(",")).join(" ")}" fill="none" stroke="${colour}" stroke-width="3" ${dash} stroke-linejoin="round"/>`;
    parts.push(line(panel.shortest, "#E69F00", `stroke-dasharray="6 4"`, 3));
    parts.push(line(panel.path, "#0072B2", "", -3));
    const [sx, sy] = centre(panel.path[0]!);
    parts.push(`<circle cx="${sx}" cy="${sy}" r="${CELL / 3}" fill="none" stroke="#D55E00" stroke-width="3"/>`);
    parts.push(`<text x="${left + panelWidth / 2}" y="${top + size * CELL + 16}" text-anchor="middle">${escape(panel.caption)}</text>`);
  });
  parts.push(`<text x="${GAP}" y="${height - 8}">blue: the policy · dashed orange: a shortest path (BFS) · ring: start · green: goal · grey: walls</text>`);
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Writes the panels to `file` and returns its path. */
export function writeRollouts(file: string, panels: readonly RolloutPanel[], title: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, new TextEncoder().encode(rolloutSvg(panels, title)), "writeRollouts");
  return file;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
