// `npm run train -- <name> [--quick] [--seed N] [--threads N] [--out DIR]`:
// trains one architecture (full mode unless --quick), with a progress bar,
// then prints each measured result against its target and the wall time.
// `npm run train -- list` lists the names.

import fs from "node:fs";
import path from "node:path";
import { manualSeed, setNumThreads } from "../src/index.ts";
import { TRAINERS } from "./index.ts";
import { formatDuration } from "../chapters/_kit/progress.ts";
import { measurementLines } from "../chapters/_kit/results.ts";
import type { Trainer, TrainResult } from "./types.ts";

interface Arguments { name: string; quick: boolean; seed: number; threads: number | null; out: string | null }

function parseArguments(argv: readonly string[]): Arguments {
  const parsed: Arguments = { name: "", quick: false, seed: 0, threads: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`train: ${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") parsed.quick = true;
    else if (arg === "--seed") parsed.seed = integerOption(arg, value());
    else if (arg === "--threads") parsed.threads = integerOption(arg, value());
    else if (arg === "--out") parsed.out = value();
    else if (arg.startsWith("--")) throw new Error(`train: unknown option ${arg} (known: --quick, --seed N, --threads N, --out DIR)`);
    else if (parsed.name === "") parsed.name = arg;
    else throw new Error(`train: one name at a time, got "${parsed.name}" and "${arg}"`);
  }
  return parsed;
}

function integerOption(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`train: ${flag} needs an integer, got "${text}"`);
  return value;
}

function printResult(name: string, result: TrainResult, seconds: number): boolean {
  console.log(`\n${name}: results`);
  for (const line of measurementLines(result.measurements)) console.log(`  ${line}`);
  for (const note of result.notes ?? []) console.log(`  ${note}`);
  console.log(`  wall time ${formatDuration(seconds)}`);
  return result.measurements.every((m) => m.met);
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.name === "" || args.name === "list") {
    console.log(`npm run train -- <name> [--quick] [--seed N] [--threads N] [--out DIR]\n\nnames: ${Object.keys(TRAINERS).join(", ")}`);
    return;
  }
  const modulePath = TRAINERS[args.name];
  if (modulePath === undefined) throw new Error(`train: no model named "${args.name}"; known: ${Object.keys(TRAINERS).join(", ")}`);
  if (args.threads !== null) setNumThreads(args.threads);
  const trainer = (await import(modulePath)).default as Trainer;
  const outDir = args.out ?? path.join("out", "training", args.name);
  fs.mkdirSync(outDir, { recursive: true });
  console.log(`${args.name}: ${trainer.description} (${args.quick ? "quick" : "full"} mode, seed ${args.seed})`);
  manualSeed(args.seed);
  const started = performance.now();
  const result = await trainer.train({ quick: args.quick, seed: args.seed, outDir });
  const allMet = printResult(args.name, result, (performance.now() - started) / 1000);
  if (!args.quick && !allMet) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
