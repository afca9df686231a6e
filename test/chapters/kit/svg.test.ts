// The SVG charts: well-formed, the right number of marks, the data where it
// belongs in the plot area, nice ticks, escaped text, clear errors on bad input.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import {
  PALETTE, barChart, barChartSvg, binCounts, escapeXml, formatTick, heatmap, heatmapSvg, histogram, histogramSvg,
  lineChart, lineChartSvg, makeScale, scatterPlot, scatterPlotSvg, sequentialColour,
} from "../../../chapters/_kit/svg.ts";
import { assertValidFigure, checkSvg } from "../../helpers/figures.ts";

/** The elements <tag .../> or <tag ...>...</tag> inside <g class="group">, as their attribute text. */
function marksIn(svg: string, group: string, tag: string): string[] {
  const start = svg.indexOf(`<g class="${group}"`);
  assert.notEqual(start, -1, `no <g class="${group}">`);
  const body = svg.slice(start, svg.indexOf("</g>", start));
  return [...body.matchAll(new RegExp(`<${tag}\\b([^>]*)`, "g"))].map((m) => m[1]!);
}

function attribute(element: string, name: string): string {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(element);
  assert.ok(match, `no ${name} in ${element}`);
  return match![1]!;
}

test("every chart writes a well-formed SVG file, creating folders", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-svg-"));
  try {
    const files = [
      lineChart(path.join(dir, "a", "line.svg"), [{ name: "train", y: [3, 2, 1] }, { name: "test", y: [3, 2.5, 2.2] }], { title: "loss", xLabel: "epoch", yLabel: "loss", logY: true }),
      scatterPlot(path.join(dir, "b", "scatter.svg"), { x: [0, 1], y: [1, 0], label: [0, 1] }, { classNames: ["no", "yes"], background: { xRange: [-1, 2], yRange: [-1, 2], classify: (x) => (x > 0.5 ? 1 : 0), resolution: 5 } }),
      heatmap(path.join(dir, "heat.svg"), [[1, 2], [3, 4]], { annotate: true, rowLabels: ["a", "b"], columnLabels: ["c", "d"], xLabel: "predicted", yLabel: "true" }),
      histogram(path.join(dir, "hist.svg"), [{ name: "w", values: [1, 2, 2, 3] }], { bins: 3, logY: true }),
      barChart(path.join(dir, "bar.svg"), [{ label: "MLP", value: 98.6 }, { label: "LeNet", value: 88.1 }], { yLabel: "accuracy (%)" }),
    ];
    for (const file of files) {
      assert.ok(fs.existsSync(file), file);
      assertValidFigure(file);
      assert.doesNotMatch(fs.readFileSync(file, "utf8"), /<script|@import|url\(http|font-face/, "self-contained");
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("lineChart: one polyline per series, the minimum at the bottom-left of the plot area, the maximum top-right", () => {
  // The plot area of a 640×400 chart: x from 64 to 624, y from 36 (top) to 352 (bottom).
  const svg = lineChartSvg([{ name: "rising", y: [1, 2, 3] }, { name: "flat", y: [2, 2, 2] }, { name: "one point", y: [2.5], x: [1] }]);
  checkSvg(svg);
  const lines = [...svg.matchAll(/<polyline class="series"[^>]*points="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(lines, ["64,352 344,194 624,36", "64,194 344,194 624,194"]);
  assert.equal((svg.match(/<circle class="series"/g) ?? []).length, 1, "a one-point series is a dot");
  assert.equal((svg.match(/class="legend"/g) ?? []).length, 1);
  assert.ok(svg.includes(`stroke="${PALETTE[0]}"`) && svg.includes(`stroke="${PALETTE[1]}"`), "series take the palette's colours in order");
});

test("lineChart: explicit x, log axes with ticks at powers of ten", () => {
  const svg = lineChartSvg([{ name: "loss", x: [1, 10, 100, 1000], y: [1, 0.1, 0.01, 0.001] }], { logX: true, logY: true });
  const points = /points="([^"]*)"/.exec(svg)![1];
  assert.equal(points, "64,36 250.67,141.33 437.33,246.67 624,352", "a straight line on log-log axes");
  for (const label of ["0.001", "0.01", "0.1", "1", "10", "100", "1000"]) assert.match(svg, new RegExp(`>${label.replace(".", "\\.")}</text>`));
  assert.equal((svg.match(/class="legend"/g) ?? []).length, 0, "no legend for a single series");
});

test("lineChart refuses what it cannot draw, naming the chart, the series and the value", () => {
  assert.throws(() => lineChartSvg([{ name: "a", y: [1, 0] }], { logY: true }), /lineChart: a logarithmic axis needs positive values, but "a"\.y\[1\] is 0/);
  assert.throws(() => lineChartSvg([{ name: "a", y: [1, 2], x: [1, -1] }], { logX: true }), /"a"\.x\[1\] is -1/);
  assert.throws(() => lineChartSvg([{ name: "a", y: [1, NaN] }]), /lineChart: "a"\.y\[1\] is NaN/);
  assert.throws(() => lineChartSvg([{ name: "a", y: [Infinity] }]), /is Infinity/);
  assert.throws(() => lineChartSvg([{ name: "a", y: [1, 2], x: [0] }]), /1 x values for 2 y values/);
  assert.throws(() => lineChartSvg([{ name: "a", y: [] }]), /"a" is empty/);
  assert.throws(() => lineChartSvg([]), /no series/);
});

test("scatterPlot: one dot per point, coloured by class, over pale decision regions", () => {
  // 480×480: the plot area is x 64..464, y 36..432; the data 0..10 on both axes.
  const svg = scatterPlotSvg(
    { x: [0, 10, 5], y: [0, 10, 2], label: [0, 1, 2] },
    { background: { xRange: [0, 10], yRange: [0, 10], classify: (x) => (x > 5 ? 1 : 0), resolution: 4 } },
  );
  checkSvg(svg);
  const dots = marksIn(svg, "points", "circle");
  assert.equal(dots.length, 3);
  assert.deepEqual([attribute(dots[0]!, "cx"), attribute(dots[0]!, "cy")], ["64", "432"], "(0, 0) at the bottom-left");
  assert.deepEqual([attribute(dots[1]!, "cx"), attribute(dots[1]!, "cy")], ["464", "36"], "(10, 10) at the top-right");
  assert.deepEqual(dots.map((d) => attribute(d, "fill")), [PALETTE[0], PALETTE[1], PALETTE[2]]);
  // A 4 × 4 grid, each row's run of equal classes drawn as one rectangle: two per row.
  const regions = marksIn(svg, "regions", "rect");
  assert.equal(regions.length, 8);
  const right = regions.filter((r) => attribute(r, "fill") === PALETTE[1]);
  assert.equal(right.length, 4, "the right half is class 1");
  assert.deepEqual([attribute(right[0]!, "x"), attribute(right[0]!, "width")], ["264", "200"], "from x = 5 to x = 10");
  const checkerboard = scatterPlotSvg({ x: [0], y: [0] }, { background: { xRange: [0, 4], yRange: [0, 4], classify: (x, y) => (Math.floor(x) + Math.floor(y)) % 2, resolution: 4 } });
  assert.equal(marksIn(checkerboard, "regions", "rect").length, 16);
  assert.ok(svg.indexOf('class="regions"') < svg.indexOf('class="points"'), "regions under the points");
});

test("scatterPlot refuses bad input", () => {
  assert.throws(() => scatterPlotSvg({ x: [1, 2], y: [1] }), /scatterPlot: 2 x values for 1 y values/);
  assert.throws(() => scatterPlotSvg({ x: [1, NaN], y: [1, 2] }), /scatterPlot: x\[1\] is NaN/);
  assert.throws(() => scatterPlotSvg({ x: [1], y: [1], label: [0.5] }), /label\[0\] is 0\.5/);
  assert.throws(() => scatterPlotSvg({ x: [1], y: [1] }, { background: { xRange: [0, 1], yRange: [0, 1], classify: () => -1 } }), /classify must return a class index/);
});

test("heatmap: one cell per value, light to dark from min to max, numbers in the cells, escaped labels", () => {
  const svg = heatmapSvg([[0, 1, 2], [3, 4, 5]], { annotate: true, rowLabels: ["a<b", "c&d"], columnLabels: ["x", "y", "z"], title: 'confusion "matrix"' });
  checkSvg(svg);
  const cells = marksIn(svg, "cells", "rect");
  assert.equal(cells.length, 6);
  assert.equal(attribute(cells[0]!, "fill"), sequentialColour(0));
  assert.equal(attribute(cells[5]!, "fill"), sequentialColour(1));
  assert.equal(attribute(cells[0]!, "fill"), "#ffffff");
  assert.equal(marksIn(svg, "cells", "text").length, 6, "six numbers");
  assert.ok(svg.includes(">a&lt;b</text>") && svg.includes(">c&amp;d</text>"));
  assert.ok(svg.includes("confusion &quot;matrix&quot;"));
  // Row 1 lies below row 0, column 2 right of column 0.
  assert.ok(Number(attribute(cells[3]!, "y")) > Number(attribute(cells[0]!, "y")));
  assert.ok(Number(attribute(cells[2]!, "x")) > Number(attribute(cells[0]!, "x")));
});

test("heatmap: diverging puts white at zero", () => {
  const cells = marksIn(heatmapSvg([[-2, 0, 2]], { diverging: true }), "cells", "rect");
  assert.equal(attribute(cells[1]!, "fill"), "#ffffff");
  const [r0, , b0] = hex(attribute(cells[0]!, "fill")), [r2, , b2] = hex(attribute(cells[2]!, "fill"));
  assert.ok(b0 > r0 && r2 > b2, "blue below zero, red above");
  assert.throws(() => heatmapSvg([[1, 2], [3]]), /heatmap: row 1 has 1 values, row 0 has 2/);
  assert.throws(() => heatmapSvg([[1, NaN]]), /heatmap: values\[0\]\[1\] is NaN/);
  assert.throws(() => heatmapSvg([[1]], { rowLabels: ["a", "b"] }), /2 row labels for 1 rows/);
  assert.throws(() => heatmapSvg([]), /no values/);
});

test("histogram: counts per bin, one bar per non-empty bin, the tallest reaching the top", () => {
  assert.deepEqual(binCounts([0, 0.5, 1, 1.5, 2], 2, 0, 2), [2, 3], "the last bin holds the maximum");
  assert.deepEqual(binCounts([0, 0, 0, 2], 4, 0, 2), [3, 0, 0, 1]);
  const svg = histogramSvg([{ name: "weights", values: [0, 0, 0, 2] }], { bins: 4 });
  checkSvg(svg);
  const bars = marksIn(svg, "series", "rect");
  assert.equal(bars.length, 2, "empty bins draw nothing");
  // The count axis runs 0..3 over y 352..36: the bar of 3 reaches 36, the bar of 1 a third of the way up.
  assert.equal(attribute(bars[0]!, "y"), "36");
  assert.equal(attribute(bars[1]!, "y"), "246.67");
  const two = histogramSvg([{ name: "a", values: [1, 2] }, { name: "b", values: [3] }]);
  assert.equal((two.match(/<g class="series"/g) ?? []).length, 2);
  const logBars = marksIn(histogramSvg([{ name: "a", values: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }], { bins: 2, logY: true }), "series", "rect");
  assert.ok(logBars.every((bar) => Number(attribute(bar, "height")) > 0), "on a log axis a count of 1 still has a bar");
  assert.throws(() => histogramSvg([{ name: "a", values: [1, NaN] }]), /histogram: "a"\.values\[1\] is NaN/);
  assert.throws(() => histogramSvg([{ name: "a", values: [1] }], { bins: 0 }), /bins must be a positive integer/);
});

test("barChart: one bar per value, from the zero line up (or down)", () => {
  const svg = barChartSvg([{ label: "gain", value: 4 }, { label: "loss", value: -2 }, { label: "a<b", value: 1 }], { yLabel: "change" });
  checkSvg(svg);
  const bars = marksIn(svg, "bars", "rect");
  assert.equal(bars.length, 3);
  const top = (i: number) => Number(attribute(bars[i]!, "y")), bottom = (i: number) => top(i) + Number(attribute(bars[i]!, "height"));
  assert.equal(bottom(0), top(1), "the positive bar ends where the negative one starts: the zero line");
  assert.ok(bottom(1) > bottom(0));
  assert.equal(top(0), 36, "the largest value reaches the top of the plot area");
  assert.ok(svg.includes(">a&lt;b</text>"));
  assert.throws(() => barChartSvg([{ label: "a", value: 0 }], { logY: true }), /barChart: a logarithmic axis needs positive values, but value\[0\] is 0/);
  assert.throws(() => barChartSvg([{ label: "a", value: NaN }]), /barChart: value\[0\] is NaN/);
  assert.throws(() => barChartSvg([]), /no bars/);
});

test("ticks are 1, 2 or 5 × 10^k and cover the data", () => {
  for (const [low, high] of [[0, 0.97], [-3.2, 17], [1e-5, 3e-5], [120, 4830], [5, 5]] as const) {
    const scale = makeScale(low, high, 0, 100);
    assert.ok(scale.low <= low && scale.high >= high, `[${low}, ${high}] covered by [${scale.low}, ${scale.high}]`);
    assert.ok(scale.ticks.length >= 2 && scale.ticks.length <= 11, `${scale.ticks.length} ticks`);
    const step = scale.ticks[1]! - scale.ticks[0]!;
    const mantissa = Number((step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toPrecision(6));
    assert.ok([1, 2, 5].includes(mantissa), `step ${step}`);
  }
  assert.deepEqual(makeScale(0, 0.97, 0, 100).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(makeScale(0.003, 20, 0, 100, true).ticks, [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.equal(formatTick(0.30000000000000004), "0.3");
  assert.equal(formatTick(1e-7), "1e-7");
  assert.equal(formatTick(2500000), "2.5e6");
});

test("escapeXml escapes the characters that would break the file", () => {
  assert.equal(escapeXml(`a & <b> "c"`), "a &amp; &lt;b&gt; &quot;c&quot;");
});

function hex(colour: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as [number, number, number];
}
