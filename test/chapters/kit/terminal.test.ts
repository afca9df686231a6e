// Sparklines and aligned tables, checked character by character.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCell, formatTable, sparkline } from "../../../chapters/_kit/terminal.ts";

test("sparkline maps min..max onto the eight blocks", () => {
  assert.equal(sparkline([0, 1, 2, 3]), "▁▃▆█");
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█");
  assert.equal(sparkline([-5, 5]), "▁█");
  assert.equal(sparkline([2, 2, 2]), "▄▄▄", "a constant series is flat");
  assert.equal(sparkline([1, NaN, 3]), "▁ █", "non-finite values are gaps");
  assert.equal(sparkline([]), "");
});

test("formatTable aligns text left and numbers right, with a rule under the header", () => {
  const table = formatTable(
    [
      ["MLP", 98.61, 12],
      ["LeNet-5", 88.1, 3000],
    ],
    { header: ["model", "accuracy", "params"] },
  );
  assert.equal(
    table,
    [
      "model    accuracy  params",
      "───────  ────────  ──────",
      "MLP         98.61      12",
      "LeNet-5      88.1    3000",
    ].join("\n"),
  );
});

test("formatTable without a header, with ragged rows, and no trailing spaces", () => {
  assert.equal(formatTable([["a", 1], ["bbb", 22], ["cc"]]), "a     1\nbbb  22\ncc");
  assert.equal(formatTable([]), "");
});

test("numbers in cells: integers as they are, others to 4 significant digits", () => {
  assert.equal(formatCell(3000), "3000");
  assert.equal(formatCell(0.987654), "0.9877");
  assert.equal(formatCell(1.5e-7), "1.500e-7");
  assert.equal(formatCell(NaN), "NaN");
  assert.equal(formatCell("text"), "text");
});
