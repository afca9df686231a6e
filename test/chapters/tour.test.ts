// `npm start` (chapters/tour.ts): the syllabus, one chapter on request, and the
// whole tour in quick mode with a line of result per chapter.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lessonFolder } from "../../chapters/_kit/lesson.ts";
import { SYLLABUS } from "../../chapters/index.ts";
import type { LessonRecord } from "../helpers/lessons.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function start(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, ["--import", "tsx", "chapters/tour.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test("the syllabus lists the 13 chapters in order, each with a folder that has a README, a lesson and exercises", () => {
  assert.deepEqual(SYLLABUS.map((e) => e.number), Array.from({ length: 13 }, (_, i) => i + 1));
  const listed = start("list");
  assert.equal(listed.status, 0, listed.stderr);
  for (const entry of SYLLABUS) {
    assert.match(listed.stdout, new RegExp(`${entry.number}\\. ${entry.title}`));
    for (const file of ["README.md", "lesson.ts", "exercises.md"]) {
      assert.ok(fs.existsSync(path.join(ROOT, "chapters", lessonFolder(entry), file)), `chapters/${lessonFolder(entry)}/${file}`);
    }
  }
  const readme = fs.readFileSync(path.join(ROOT, "chapters", "README.md"), "utf8");
  for (const entry of SYLLABUS) assert.ok(readme.includes(`${lessonFolder(entry)}/`), `chapters/README.md links ${lessonFolder(entry)}`);
});

test("an unknown chapter is a clear error", () => {
  const wrong = start("14");
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /no chapter "14"; use a number from 1 to 13/);
});

test("the tour runs every chapter in quick mode: exit 0, one line each, a result.json per chapter", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-tour-"));
  const tour = start("--out", outDir);
  assert.equal(tour.status, 0, `${tour.stdout}\n${tour.stderr}`);
  const lines = tour.stdout.split("\n");
  for (const entry of SYLLABUS) {
    const line = lines.find((l) => l.startsWith(`${String(entry.number).padStart(2)}. ${entry.title}: `));
    assert.ok(line, `a line for chapter ${entry.number}`);
    assert.doesNotMatch(line, /FAILED|MISSED|not written/);
    const record = JSON.parse(fs.readFileSync(path.join(outDir, lessonFolder(entry), "result.json"), "utf8")) as LessonRecord;
    assert.equal(record.mode, "quick");
    assert.ok(record.measurements.every((m) => m.met), `chapter ${entry.number} meets its quick targets`);
  }
  assert.ok(lines.length < 13 + 10, "the tour stays quiet: one line per chapter");
});
