// The README's promises, checked: its ten-line example runs and learns, and
// examples/demo.ts (a network on two spirals from bare tensors) trains a network whose loss falls.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function runTs(file: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 120_000 });
}

/** All numbers printed in `text`, in order. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)].map((m) => Number(m[0]));
}

/** Runs the first ts code block under the README heading `heading` (importing from src) and returns what it printed. */
function runReadmeExample(heading: string, maxLines: number): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, `README has a ts code block under '${heading}'`);
  assert.ok(code.split("\n").filter((l) => l.trim()).length <= maxLines, "the example stays short");
  const dir = mkdtempSync(join(root, "test", ".tmp-readme-"));
  try {
    const file = join(dir, "example.ts");
    writeFileSync(file, code.replace(`from "gradschool"`, `from "../../src/index.ts"`));
    return runTs(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the README's ten-line example recovers the hidden linear rule", () => {
  const printed = runReadmeExample("## Ten lines", 14);
  // Printed as tensor([[w0], [w1], [w2]], requires_grad=True) tensor([b], requires_grad=True).
  const [w0, w1, w2, b] = numbersIn(printed);
  for (const [got, want] of [[w0, 2], [w1, -1], [w2, 0.5], [b, 1]] as const) {
    assert.ok(Math.abs(got! - want) < 0.01, `learned ${got}, want ${want}: output was ${printed}`);
  }
});

test("the README's nn example learns the circle: held-out accuracy of at least 95 %", () => {
  const printed = runReadmeExample("## A network with nn and optim", 14);
  assert.match(printed, /\(0\): Linear\(in_features=2, out_features=32, bias=True\)  # 96 params/);
  const accuracy = Number(/held-out accuracy (\d+\.\d)%/.exec(printed)?.[1]);
  assert.ok(accuracy >= 95, `held-out accuracy ${accuracy}%: output was ${printed}`);
});

test("the README's data example: an MLP on the 8×8 digits, at least 93 % test accuracy", () => {
  const printed = runReadmeExample("## Real data, in batches", 18);
  const accuracy = Number(/test accuracy (\d+\.\d)%/.exec(printed)?.[1]);
  assert.ok(accuracy >= 93, `test accuracy ${accuracy}%: output was ${printed}`);
});

test("examples/demo.ts: the loss falls and the spirals are separated", () => {
  const printed = runTs("examples/demo.ts");
  const losses = [...printed.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  const accuracies = [...printed.matchAll(/accuracy +(\d+\.\d+)%/g)].map((m) => Number(m[1]));
  assert.ok(losses.length >= 10, printed);
  assert.ok(losses.at(-1)! < losses[0]! / 4, `loss should fall at least fourfold: ${losses.join(", ")}`);
  assert.ok(accuracies.at(-1)! >= 95, `final accuracy ${accuracies.at(-1)}%`);
});
