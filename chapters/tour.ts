// `npm start`: the tour of the curriculum.
//
//   npm start                  every chapter in quick mode, one after the other, a line of result each
//   npm start -- 7             chapter 7 in full mode, with its commentary and progress bars
//   npm start -- 7 --quick     chapter 7 in quick mode (also --seed N, --threads N, --out DIR)
//   npm start -- list          the syllabus
//
// Figures go to out/NN-slug/ (with result.json, the measured results).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lessonFolder, parseLessonArguments, printLessonRun, runLesson, type Lesson } from "./_kit/lesson.ts";
import { formatDuration } from "./_kit/progress.ts";
import { setQuiet, say } from "./_kit/say.ts";
import { SYLLABUS, type SyllabusEntry } from "./index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function lessonFile(entry: SyllabusEntry): string {
  return path.join(HERE, lessonFolder(entry), "lesson.ts");
}

async function loadLesson(entry: SyllabusEntry): Promise<Lesson> {
  return (await import(lessonFile(entry))).default as Lesson;
}

function printSyllabus(): void {
  say("The chapters (chapters/README.md says more about each):\n");
  for (const entry of SYLLABUS) {
    say(`${String(entry.number).padStart(2)}. ${entry.title} — ${entry.ideas}`);
    say(`    npm start -- ${entry.number}        (npx tsx chapters/${lessonFolder(entry)}/lesson.ts)`);
  }
}

/** Every chapter in quick mode, quietly, one line each; false if any fails or misses its target. */
async function tour(argv: readonly string[]): Promise<boolean> {
  const options = { ...parseLessonArguments(argv), quick: true };
  say("A tour of gradschool: every chapter in quick mode (seconds each). `npm start -- N` runs chapter N in full.\n");
  const started = performance.now();
  let allMet = true;
  for (const entry of SYLLABUS) {
    const label = `${String(entry.number).padStart(2)}. ${entry.title}`;
    if (!fs.existsSync(lessonFile(entry))) {
      say(`${label}: not written yet`);
      continue;
    }
    const lesson = await loadLesson(entry);
    setQuiet(true);
    try {
      const run = await runLesson(lesson, { ...options, outDir: options.outDir === null ? null : path.join(options.outDir, lessonFolder(entry)) });
      const met = run.result.measurements.every((m) => m.met);
      allMet &&= met;
      setQuiet(false);
      say(`${label}: ${run.result.summary} (${formatDuration(run.seconds)}${met ? "" : ", a target MISSED"}) → ${run.outDir}`);
    } catch (error) {
      setQuiet(false);
      allMet = false;
      say(`${label}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  say(`\nThe tour took ${formatDuration((performance.now() - started) / 1000)}.`);
  return allMet;
}

async function main(argv: readonly string[]): Promise<boolean> {
  const [first, ...rest] = argv;
  if (first === "list") {
    printSyllabus();
    return true;
  }
  if (first === undefined || first.startsWith("--")) return tour(argv);
  const entry = SYLLABUS.find((e) => String(e.number) === first || lessonFolder(e) === first || e.slug === first);
  if (entry === undefined) throw new Error(`npm start: no chapter "${first}"; use a number from 1 to ${SYLLABUS.length}, or "list"`);
  if (!fs.existsSync(lessonFile(entry))) throw new Error(`npm start: chapter ${entry.number} (${entry.title}) is not written yet`);
  const options = parseLessonArguments(rest);
  say(`Chapter ${entry.number}: ${entry.title} (${options.quick ? "quick" : "full"} mode, seed ${options.seed})`);
  return printLessonRun(await runLesson(await loadLesson(entry), options));
}

main(process.argv.slice(2)).then(
  (allMet) => { process.exitCode = allMet ? 0 : 1; },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
