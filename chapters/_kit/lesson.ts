// What every lesson is, and how it runs.
//
// A lesson is a module whose default export is a `Lesson`. Its last line,
// `runIfMain(lesson, import.meta.url)`, makes the file runnable on its own:
//
//   npx tsx chapters/05-convolutional-networks/lesson.ts [--quick] [--seed N] [--threads N] [--out DIR]
//
// --quick runs a small version in seconds (what the tests and the tour run);
// --seed seeds every random choice (default 0); --threads sets the size of the
// worker pool for matrix products and convolutions; --out is where the
// figures go (default out/NN-slug/). The run ends with the measured results,
// each against its target, and writes them to result.json beside the figures.
// The exit code is 0 when every target is met, 1 when one is missed, 2 on an error.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../../src/data/files.ts";
import { manualSeed, setNumThreads } from "../../src/index.ts";
import { formatDuration } from "./progress.ts";
import { measurementLines, type Measurement } from "./results.ts";
import { heading, say } from "./say.ts";

export interface LessonOptions {
  /** The small version: seconds, for the tests and the tour. */
  quick: boolean;
  /** The seed of every random choice; the runner has already called manualSeed(seed). */
  seed: number;
  /** Where the figures go; the runner has created it. */
  outDir: string;
}

export interface LessonResult {
  /** The measured results, each with its target (atLeast, atMost, reported in results.ts). */
  measurements: Measurement[];
  /** One sentence with the headline result, printed by the tour, e.g. "an MLP on raw pixels: 97.5 % vs 89.2 % on hand-made features". */
  summary: string;
  /** The files written (PNG, SVG, DOT), each under outDir. */
  figures: string[];
}

export interface Lesson {
  /** The chapter number, 1 to 13. */
  number: number;
  /** The folder name after the number, e.g. "convolutional-networks". */
  slug: string;
  /** The chapter's title, e.g. "Convolutional networks". */
  title: string;
  run(options: LessonOptions): LessonResult | Promise<LessonResult>;
}

/** "05-convolutional-networks": the chapter's folder, and its folder under out/. */
export function lessonFolder(lesson: Pick<Lesson, "number" | "slug">): string {
  return `${String(lesson.number).padStart(2, "0")}-${lesson.slug}`;
}

export interface RunOptions {
  quick: boolean;
  seed: number;
  /** Worker threads for the kernels; null keeps the default. */
  threads: number | null;
  /** Default out/NN-slug. */
  outDir: string | null;
}

export interface LessonRun {
  result: LessonResult;
  seconds: number;
  outDir: string;
}

/** Seeds, sizes the pool, creates the output folder, runs the lesson and writes result.json. */
export async function runLesson(lesson: Lesson, options: RunOptions): Promise<LessonRun> {
  const outDir = options.outDir ?? path.join("out", lessonFolder(lesson));
  fs.mkdirSync(outDir, { recursive: true });
  if (options.threads !== null) setNumThreads(options.threads);
  manualSeed(options.seed);
  const started = performance.now();
  const result = await lesson.run({ quick: options.quick, seed: options.seed, outDir });
  const seconds = (performance.now() - started) / 1000;
  const record = {
    chapter: lesson.number, title: lesson.title, mode: options.quick ? "quick" : "full", seed: options.seed, seconds,
    summary: result.summary, measurements: result.measurements, figures: result.figures,
  };
  writeFileAtomic(path.join(outDir, "result.json"), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`), "runLesson");
  return { result, seconds, outDir };
}

/** --quick, --seed N, --threads N, --out DIR; anything else is an error that lists them. */
export function parseLessonArguments(argv: readonly string[]): RunOptions {
  const parsed: RunOptions = { quick: false, seed: 0, threads: null, outDir: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`lesson: ${flag} needs a value`);
      return next;
    };
    if (flag === "--quick") parsed.quick = true;
    else if (flag === "--seed") parsed.seed = integerArgument(flag, value(), 0);
    else if (flag === "--threads") parsed.threads = integerArgument(flag, value(), 1);
    else if (flag === "--out") parsed.outDir = value();
    else throw new Error(`lesson: unknown argument "${flag}" (known: --quick, --seed N, --threads N, --out DIR)`);
  }
  return parsed;
}

function integerArgument(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`lesson: ${flag} needs an integer ≥ ${minimum}, got "${text}"`);
  return value;
}

/** Prints the results, the figures and the time; true when every target is met. */
export function printLessonRun(run: LessonRun): boolean {
  heading("Results");
  for (const line of measurementLines(run.result.measurements)) say(`  ${line}`);
  for (const figure of run.result.figures) say(`  figure: ${figure}`);
  say(`  wall time ${formatDuration(run.seconds)}`);
  return run.result.measurements.every((m) => m.met);
}

/** Runs the lesson from the command line when its file is the program node started. */
export function runIfMain(lesson: Lesson, moduleUrl: string): void {
  const entry = process.argv[1];
  if (entry === undefined || path.resolve(entry) !== fileURLToPath(moduleUrl)) return;
  void (async () => {
    try {
      const options = parseLessonArguments(process.argv.slice(2));
      say(`Chapter ${lesson.number}: ${lesson.title} (${options.quick ? "quick" : "full"} mode, seed ${options.seed})`);
      const allMet = printLessonRun(await runLesson(lesson, options));
      process.exitCode = allMet ? 0 : 1;
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    }
  })();
}
