// Running a chapter's lesson as a learner would (`npx tsx chapters/NN-slug/lesson.ts --quick`),
// in a child process, and reading back what it measured (result.json, written by
// chapters/_kit/lesson.ts).

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Measurement } from "../../chapters/_kit/results.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** result.json, as the lesson runner writes it. */
export interface LessonRecord {
  chapter: number;
  title: string;
  mode: "quick" | "full";
  seed: number;
  seconds: number;
  summary: string;
  measurements: Measurement[];
  figures: string[];
}

export interface QuickRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outDir: string;
  record: LessonRecord;
  /** The measured value named `name`; fails the test if the lesson did not report it. */
  value(name: string): number;
}

/** Runs chapters/<folder>/lesson.ts --quick (plus `args`) into a fresh temporary folder. */
export function runQuickLesson(folder: string, args: readonly string[] = []): QuickRun {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `gradschool-${folder}-`));
  const child = spawnSync(process.execPath, ["--import", "tsx", path.join("chapters", folder, "lesson.ts"), "--quick", "--out", outDir, ...args], {
    cwd: ROOT, encoding: "utf8", timeout: 300_000,
  });
  const resultFile = path.join(outDir, "result.json");
  if (!fs.existsSync(resultFile)) {
    throw new Error(`${folder} --quick wrote no result.json (exit ${child.status}):\n${child.stderr}\n${child.stdout.slice(-2000)}`);
  }
  const record = JSON.parse(fs.readFileSync(resultFile, "utf8")) as LessonRecord;
  return {
    exitCode: child.status, stdout: child.stdout, stderr: child.stderr, outDir, record,
    value(name: string): number {
      const found = record.measurements.find((m) => m.name === name);
      if (found === undefined) throw new Error(`${folder}: no measurement "${name}"; it reported ${record.measurements.map((m) => `"${m.name}"`).join(", ")}`);
      return found.value;
    },
  };
}
