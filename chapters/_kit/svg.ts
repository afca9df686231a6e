// Charts as SVG files: line charts (loss curves), scatter plots (with decision
// regions), heatmaps (confusion matrices, attention), histograms and bar
// charts. Each file is self-contained: no fonts to fetch, no scripts.
//
// Every chart is drawn the same way: a plot area inside margins, a linear (or
// logarithmic) map from data to pixels, "nice" ticks (1, 2 or 5 × 10^k), then
// the marks. Colours come from the Okabe–Ito palette, which colour-blind
// readers can tell apart.

import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../src/data/files.ts";

/** Okabe–Ito: eight colours distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"] as const;

/** The colour of series (or class) i; the palette repeats after eight. */
export function colourOf(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

// ─── text, numbers, files ────────────────────────────────────────────────────

/** Text safe inside an element or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A coordinate with at most 2 decimals, keeping the files small: 12.3456 → "12.35". */
function px(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/** A tick label: 0.30000000000000004 → "0.3", 1e-7 → "1e-7", 25000 → "25000". */
export function formatTick(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(6)));
}

function checkFinite(chart: string, what: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${chart}: ${what}[${i}] is ${values[i]}; charts need finite numbers`);
  }
}

function checkPositive(chart: string, what: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! > 0)) throw new Error(`${chart}: a logarithmic axis needs positive values, but ${what}[${i}] is ${values[i]}`);
  }
}

function writeSvg(file: string, svg: string, who: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, new TextEncoder().encode(svg), who);
  return file;
}

// ─── scales and ticks ─────────────────────────────────────────────────────────

/** A step of 1, 2 or 5 × 10^k near span / count. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
}

/** A data interval mapped onto a pixel interval, with its ticks. */
export interface Scale {
  /** The data domain, widened to whole ticks. */
  low: number;
  high: number;
  log: boolean;
  ticks: number[];
  /** Data value → pixel. */
  map(value: number): number;
}

/**
 * A scale from the data's [min, max] to pixels [from, to]. Linear: the domain
 * is widened to multiples of a nice step. Logarithmic: to whole powers of 10,
 * with ticks at powers of 10 (and at 2 and 5 × 10^k when there are few decades).
 */
export function makeScale(min: number, max: number, from: number, to: number, log = false, tickCount = 5): Scale {
  if (log) {
    let lowPower = Math.floor(Math.log10(min) + 1e-9), highPower = Math.ceil(Math.log10(max) - 1e-9);
    if (highPower === lowPower) highPower++;
    const low = 10 ** lowPower, high = 10 ** highPower;
    const ticks: number[] = [];
    const decades = highPower - lowPower;
    const every = Math.max(1, Math.ceil(decades / 8));
    for (let p = lowPower; p <= highPower; p += every) {
      ticks.push(10 ** p);
      if (decades <= 2 && p < highPower) ticks.push(2 * 10 ** p, 5 * 10 ** p);
    }
    const span = highPower - lowPower;
    return { low, high, log, ticks, map: (v) => from + ((Math.log10(v) - lowPower) / span) * (to - from) };
  }
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep(max - min, tickCount);
  // k × step rounded to 12 digits, so that 3 × 0.1 is 0.3, not 0.30000000000000004.
  const at = (k: number) => Number((k * step).toPrecision(12));
  const kLow = Math.floor(min / step + 1e-9), kHigh = Math.ceil(max / step - 1e-9);
  const low = at(kLow), high = at(kHigh);
  const ticks: number[] = [];
  for (let k = kLow; k <= kHigh; k++) ticks.push(at(k));
  return { low, high, log, ticks, map: (v) => from + ((v - low) / (high - low)) * (to - from) };
}

// ─── the frame every chart shares ─────────────────────────────────────────────

interface Frame {
  width: number;
  height: number;
  /** The plot area. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

function frame(width: number, height: number, margins = { left: 64, top: 36, right: 16, bottom: 48 }): Frame {
  return { width, height, left: margins.left, top: margins.top, right: width - margins.right, bottom: height - margins.bottom };
}

function openSvg(f: Frame, title: string | undefined): string[] {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
  ];
  if (title) parts.push(`<text x="${px(f.width / 2)}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`);
  return parts;
}

/** Axis lines, ticks with labels, grid lines, and the axis titles. */
function axes(f: Frame, x: Scale | null, y: Scale, xLabel?: string, yLabel?: string): string[] {
  const parts: string[] = ['<g class="ticks" fill="#000000">'];
  for (const t of y.ticks) {
    const py = px(y.map(t));
    parts.push(`<line x1="${f.left}" y1="${py}" x2="${f.right}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(`<line x1="${f.left - 4}" y1="${py}" x2="${f.left}" y2="${py}" stroke="#000000"/>`);
    parts.push(`<text x="${f.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(t))}</text>`);
  }
  if (x) {
    for (const t of x.ticks) {
      const pxx = px(x.map(t));
      parts.push(`<line x1="${pxx}" y1="${f.bottom}" x2="${pxx}" y2="${f.bottom + 4}" stroke="#000000"/>`);
      parts.push(`<text x="${pxx}" y="${f.bottom + 16}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`);
    }
  }
  parts.push("</g>");
  // The axis lines last, over the grid.
  parts.push('<g class="axes" stroke="#000000" fill="none">');
  parts.push(`<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}"/>`);
  parts.push(`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}"/>`);
  parts.push("</g>");
  if (xLabel) parts.push(`<text x="${px((f.left + f.right) / 2)}" y="${f.height - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  if (yLabel) {
    const cy = px((f.top + f.bottom) / 2);
    parts.push(`<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${escapeXml(yLabel)}</text>`);
  }
  return parts;
}

/** A legend in the top-right corner of the plot area: a swatch and a name per entry. */
function legend(f: Frame, names: readonly string[]): string[] {
  if (names.length < 2) return [];
  const longest = Math.max(...names.map((n) => [...n].length));
  const boxWidth = 28 + 6.5 * longest;
  const x = f.right - boxWidth - 6, y = f.top + 6;
  const parts = [`<g class="legend"><rect x="${px(x)}" y="${y}" width="${px(boxWidth)}" height="${names.length * 16 + 6}" fill="#ffffff" fill-opacity="0.85" stroke="#999999"/>`];
  names.forEach((name, i) => {
    const ry = y + 11 + i * 16;
    parts.push(`<rect x="${px(x + 6)}" y="${ry - 5}" width="12" height="10" fill="${colourOf(i)}"/>`);
    parts.push(`<text x="${px(x + 22)}" y="${ry}" dominant-baseline="middle">${escapeXml(name)}</text>`);
  });
  parts.push("</g>");
  return parts;
}

function closeSvg(parts: string[]): string {
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

// ─── line chart ───────────────────────────────────────────────────────────────

export interface LineSeries {
  name: string;
  y: readonly number[];
  /** Defaults to 0, 1, 2, ... */
  x?: readonly number[];
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** One polyline per series (e.g. training and validation loss against the step), with a legend when there are several. */
export function lineChart(file: string, series: readonly LineSeries[], options: LineChartOptions = {}): string {
  return writeSvg(file, lineChartSvg(series, options), "lineChart");
}

/** The SVG text of lineChart. */
export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const who = "lineChart";
  if (series.length === 0) throw new Error(`${who}: no series to draw`);
  const xs = series.map((s) => s.x ?? s.y.map((_, i) => i));
  series.forEach((s, i) => {
    if (s.y.length === 0) throw new Error(`${who}: series "${s.name}" is empty`);
    if (xs[i]!.length !== s.y.length) throw new Error(`${who}: series "${s.name}" has ${xs[i]!.length} x values for ${s.y.length} y values`);
    checkFinite(who, `"${s.name}".y`, s.y);
    checkFinite(who, `"${s.name}".x`, xs[i]!);
    if (options.logY) checkPositive(who, `"${s.name}".y`, s.y);
    if (options.logX) checkPositive(who, `"${s.name}".x`, xs[i]!);
  });
  const f = frame(options.width ?? 640, options.height ?? 400);
  const allX = xs.flat(), allY = series.flatMap((s) => [...s.y]);
  const x = makeScale(minimum(allX), maximum(allX), f.left, f.right, options.logX);
  const y = makeScale(minimum(allY), maximum(allY), f.bottom, f.top, options.logY);
  const parts = openSvg(f, options.title);
  parts.push(...axes(f, x, y, options.xLabel, options.yLabel));
  series.forEach((s, i) => {
    const points = s.y.map((v, j) => `${px(x.map(xs[i]![j]!))},${px(y.map(v))}`);
    if (points.length === 1) {
      const [cx, cy] = points[0]!.split(",");
      parts.push(`<circle class="series" cx="${cx}" cy="${cy}" r="3" fill="${colourOf(i)}"><title>${escapeXml(s.name)}</title></circle>`);
    } else {
      parts.push(`<polyline class="series" fill="none" stroke="${colourOf(i)}" stroke-width="1.5" points="${points.join(" ")}"><title>${escapeXml(s.name)}</title></polyline>`);
    }
  });
  parts.push(...legend(f, series.map((s) => s.name)));
  return closeSvg(parts);
}

// ─── scatter plot ─────────────────────────────────────────────────────────────

export interface ScatterData {
  x: readonly number[];
  y: readonly number[];
  /** Class index per point → its colour. */
  label?: readonly number[];
}

export interface ScatterOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  classNames?: readonly string[];
  /** Decision regions: classify is evaluated on a resolution × resolution grid (default 60) and drawn as pale rectangles under the points. */
  background?: { xRange: [number, number]; yRange: [number, number]; classify: (x: number, y: number) => number; resolution?: number };
  width?: number;
  height?: number;
}

/** Points coloured by class, optionally over the regions a classifier assigns to each class. */
export function scatterPlot(file: string, data: ScatterData, options: ScatterOptions = {}): string {
  return writeSvg(file, scatterPlotSvg(data, options), "scatterPlot");
}

/** The SVG text of scatterPlot. */
export function scatterPlotSvg(data: ScatterData, options: ScatterOptions = {}): string {
  const who = "scatterPlot";
  if (data.x.length !== data.y.length) throw new Error(`${who}: ${data.x.length} x values for ${data.y.length} y values`);
  if (data.x.length === 0 && !options.background) throw new Error(`${who}: no points to draw`);
  if (data.label && data.label.length !== data.x.length) throw new Error(`${who}: ${data.label.length} labels for ${data.x.length} points`);
  checkFinite(who, "x", data.x);
  checkFinite(who, "y", data.y);
  if (data.label) checkLabels(who, data.label);
  const f = frame(options.width ?? 480, options.height ?? 480);
  const bg = options.background;
  const xMin = Math.min(bg ? bg.xRange[0] : Infinity, minimum(data.x)), xMax = Math.max(bg ? bg.xRange[1] : -Infinity, maximum(data.x));
  const yMin = Math.min(bg ? bg.yRange[0] : Infinity, minimum(data.y)), yMax = Math.max(bg ? bg.yRange[1] : -Infinity, maximum(data.y));
  const x = makeScale(xMin, xMax, f.left, f.right), y = makeScale(yMin, yMax, f.bottom, f.top);
  const parts = openSvg(f, options.title);
  const classes = new Set<number>(data.label ?? [0]);
  if (bg) {
    const n = bg.resolution ?? 60;
    if (!Number.isInteger(n) || n < 1) throw new Error(`${who}: background resolution must be a positive integer, got ${n}`);
    const [x0, x1] = bg.xRange, [y0, y1] = bg.yRange;
    if (!(x1 > x0) || !(y1 > y0)) throw new Error(`${who}: background ranges must be increasing, got x [${x0}, ${x1}], y [${y0}, ${y1}]`);
    const dx = (x1 - x0) / n, dy = (y1 - y0) / n;
    parts.push('<g class="regions" fill-opacity="0.2">');
    for (let j = 0; j < n; j++) {
      // The class at the centre of each cell of row j; a run of cells of one class is one rectangle.
      const row = Array.from({ length: n }, (_, i) => {
        const cls = bg.classify(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy);
        if (!Number.isInteger(cls) || cls < 0) throw new Error(`${who}: classify must return a class index (integer ≥ 0), got ${cls}`);
        classes.add(cls);
        return cls;
      });
      for (let start = 0; start < n;) {
        let end = start + 1;
        while (end < n && row[end] === row[start]) end++;
        const left = x.map(x0 + start * dx), right = x.map(x0 + end * dx);
        const top = y.map(y0 + (j + 1) * dy), bottom = y.map(y0 + j * dy);
        // A hair taller than the cell, so that no seams show between rows.
        parts.push(`<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top + 0.3)}" fill="${colourOf(row[start]!)}"/>`);
        start = end;
      }
    }
    parts.push("</g>");
  }
  parts.push(...axes(f, x, y, options.xLabel, options.yLabel));
  parts.push('<g class="points" stroke="#ffffff" stroke-width="0.5">');
  for (let i = 0; i < data.x.length; i++) {
    parts.push(`<circle cx="${px(x.map(data.x[i]!))}" cy="${px(y.map(data.y[i]!))}" r="3" fill="${colourOf(data.label?.[i] ?? 0)}"/>`);
  }
  parts.push("</g>");
  if (options.classNames) parts.push(...legend(f, options.classNames));
  else if (data.label && classes.size > 1) parts.push(...legend(f, Array.from({ length: Math.max(...classes) + 1 }, (_, i) => `class ${i}`)));
  return closeSvg(parts);
}

function checkLabels(who: string, labels: readonly number[]): void {
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0) throw new Error(`${who}: label[${i}] is ${l}; labels are class indices (integers ≥ 0)`);
  });
}

// ─── heatmap ──────────────────────────────────────────────────────────────────

export interface HeatmapOptions {
  title?: string;
  rowLabels?: readonly string[];
  columnLabels?: readonly string[];
  xLabel?: string;
  yLabel?: string;
  /** Writes each cell's value in it. */
  annotate?: boolean;
  /** Blue below 0, white at 0, red above (for signed values such as weights); otherwise white → dark blue from min to max. */
  diverging?: boolean;
}

/** A grid of coloured cells, values[row][column] (e.g. a confusion matrix, an attention pattern). */
export function heatmap(file: string, values: readonly (readonly number[])[], options: HeatmapOptions = {}): string {
  return writeSvg(file, heatmapSvg(values, options), "heatmap");
}

/** The SVG text of heatmap. */
export function heatmapSvg(values: readonly (readonly number[])[], options: HeatmapOptions = {}): string {
  const who = "heatmap";
  const rows = values.length, columns = values[0]?.length ?? 0;
  if (rows === 0 || columns === 0) throw new Error(`${who}: no values to draw`);
  values.forEach((row, r) => {
    if (row.length !== columns) throw new Error(`${who}: row ${r} has ${row.length} values, row 0 has ${columns}`);
    checkFinite(who, `values[${r}]`, row);
  });
  if (options.rowLabels && options.rowLabels.length !== rows) throw new Error(`${who}: ${options.rowLabels.length} row labels for ${rows} rows`);
  if (options.columnLabels && options.columnLabels.length !== columns) throw new Error(`${who}: ${options.columnLabels.length} column labels for ${columns} columns`);
  const flat = values.flat();
  const low = minimum(flat), high = maximum(flat);
  const bound = Math.max(Math.abs(low), Math.abs(high)) || 1;
  const colour = (v: number): [string, boolean] => {
    if (options.diverging) return [divergingColour(v / bound), Math.abs(v / bound) > 0.6];
    const t = high === low ? 0.5 : (v - low) / (high - low);
    return [sequentialColour(t), t > 0.55];
  };
  const rowLabelWidth = options.rowLabels ? 8 + 6.5 * Math.max(...options.rowLabels.map((l) => [...l].length)) : 8;
  const cell = Math.max(6, Math.min(48, Math.floor(560 / Math.max(rows, columns))));
  const left = 24 + rowLabelWidth, top = options.title ? 40 : 16;
  const colourBar = 60;
  const f: Frame = {
    left, top, right: left + columns * cell, bottom: top + rows * cell,
    width: left + columns * cell + colourBar, height: top + rows * cell + (options.columnLabels ? 24 : 8) + (options.xLabel ? 20 : 0),
  };
  const parts = openSvg(f, options.title);
  parts.push('<g class="cells">');
  const fontSize = Math.max(6, Math.min(12, cell / 3.2));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const v = values[r]![c]!;
      const [fill, dark] = colour(v);
      const cx = left + c * cell, cy = top + r * cell;
      parts.push(`<rect x="${cx}" y="${cy}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeXml(formatTick(v))}</title></rect>`);
      if (options.annotate) {
        parts.push(`<text x="${px(cx + cell / 2)}" y="${px(cy + cell / 2)}" text-anchor="middle" dominant-baseline="middle" font-size="${px(fontSize)}" fill="${dark ? "#ffffff" : "#000000"}">${escapeXml(shortNumber(v))}</text>`);
      }
    }
  }
  parts.push("</g>");
  if (options.rowLabels) {
    options.rowLabels.forEach((label, r) => parts.push(`<text x="${left - 4}" y="${px(top + (r + 0.5) * cell)}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`));
  }
  if (options.columnLabels) {
    options.columnLabels.forEach((label, c) => parts.push(`<text x="${px(left + (c + 0.5) * cell)}" y="${f.bottom + 14}" text-anchor="middle">${escapeXml(label)}</text>`));
  }
  if (options.xLabel) parts.push(`<text x="${px((f.left + f.right) / 2)}" y="${f.height - 6}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) {
    const cy = px((f.top + f.bottom) / 2);
    parts.push(`<text x="12" y="${cy}" text-anchor="middle" transform="rotate(-90 12 ${cy})">${escapeXml(options.yLabel)}</text>`);
  }
  // The colour bar: the scale from the lowest value (bottom) to the highest (top).
  const barLeft = f.right + 12, steps = 20, barHeight = rows * cell;
  parts.push('<g class="colour-bar">');
  for (let i = 0; i < steps; i++) {
    const t = (i + 0.5) / steps;
    const v = options.diverging ? -bound + 2 * bound * t : low + (high - low) * t;
    parts.push(`<rect x="${barLeft}" y="${px(top + barHeight * (1 - (i + 1) / steps))}" width="10" height="${px(barHeight / steps + 0.3)}" fill="${colour(v)[0]}"/>`);
  }
  const [barLow, barHigh] = options.diverging ? [-bound, bound] : [low, high];
  parts.push(`<text x="${barLeft + 13}" y="${top + 4}" font-size="9" dominant-baseline="middle">${escapeXml(shortNumber(barHigh))}</text>`);
  parts.push(`<text x="${barLeft + 13}" y="${top + barHeight - 4}" font-size="9" dominant-baseline="middle">${escapeXml(shortNumber(barLow))}</text>`);
  parts.push("</g>");
  return closeSvg(parts);
}

/** White (t = 0) → dark blue (t = 1), through light blue. */
export function sequentialColour(t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  return mix([255, 255, 255], [8, 48, 107], clamped);
}

/** Blue (s = −1) → white (0) → red (+1). */
export function divergingColour(s: number): string {
  const clamped = Math.min(1, Math.max(-1, s));
  return clamped < 0 ? mix([255, 255, 255], [33, 102, 172], -clamped) : mix([255, 255, 255], [178, 24, 43], clamped);
}

function mix(from: readonly number[], to: readonly number[], t: number): string {
  return `#${from.map((a, i) => Math.round(a + (to[i]! - a) * t).toString(16).padStart(2, "0")).join("")}`;
}

/** 0.98765 → "0.99", 1234 → "1234", 12.5 → "12.5". */
function shortNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const magnitude = Math.abs(v);
  if (magnitude >= 100) return v.toFixed(0);
  if (magnitude >= 0.01) return String(Number(v.toFixed(2)));
  return v.toExponential(1);
}

// ─── histogram ────────────────────────────────────────────────────────────────

export interface HistogramOptions {
  bins?: number;
  title?: string;
  xLabel?: string;
  logY?: boolean;
}

/** The counts of values in equal bins over the range of all series; several series overlap, half transparent. */
export function histogram(file: string, series: readonly { name: string; values: readonly number[] }[], options: HistogramOptions = {}): string {
  return writeSvg(file, histogramSvg(series, options), "histogram");
}

/** Counts per bin over [low, high): the last bin also holds high. */
export function binCounts(values: readonly number[], bins: number, low: number, high: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (high - low) / bins;
  for (const v of values) {
    const bin = width === 0 ? 0 : Math.min(bins - 1, Math.max(0, Math.floor((v - low) / width)));
    counts[bin]!++;
  }
  return counts;
}

/** The SVG text of histogram. */
export function histogramSvg(series: readonly { name: string; values: readonly number[] }[], options: HistogramOptions = {}): string {
  const who = "histogram";
  if (series.length === 0) throw new Error(`${who}: no series to draw`);
  const bins = options.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`${who}: bins must be a positive integer, got ${bins}`);
  for (const s of series) {
    if (s.values.length === 0) throw new Error(`${who}: series "${s.name}" is empty`);
    checkFinite(who, `"${s.name}".values`, s.values);
  }
  const all = series.flatMap((s) => [...s.values]);
  let low = minimum(all), high = maximum(all);
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const counts = series.map((s) => binCounts(s.values, bins, low, high));
  const f = frame(640, 400);
  const x = makeScale(low, high, f.left, f.right);
  const maxCount = Math.max(...counts.flat());
  // On a log axis empty bins have no bar, and the axis starts at 0.1 so that a count of 1 still shows.
  const y = options.logY ? makeScale(0.5, Math.max(1, maxCount), f.bottom, f.top, true) : makeScale(0, Math.max(1, maxCount), f.bottom, f.top);
  const parts = openSvg(f, options.title);
  parts.push(...axes(f, x, y, options.xLabel, options.logY ? "count (log)" : "count"));
  const binWidth = (high - low) / bins;
  counts.forEach((bars, i) => {
    parts.push(`<g class="series" fill="${colourOf(i)}" fill-opacity="${series.length > 1 ? 0.55 : 0.9}">`);
    bars.forEach((count, b) => {
      if (count === 0) return;
      const left = x.map(low + b * binWidth), right = x.map(low + (b + 1) * binWidth);
      const top = y.map(count), bottom = y.map(y.low);
      parts.push(`<rect x="${px(left)}" y="${px(top)}" width="${px(Math.max(0.5, right - left - 0.5))}" height="${px(bottom - top)}"/>`);
    });
    parts.push("</g>");
  });
  parts.push(...legend(f, series.map((s) => s.name)));
  return closeSvg(parts);
}

// ─── bar chart ────────────────────────────────────────────────────────────────

export interface BarChartOptions {
  title?: string;
  yLabel?: string;
  logY?: boolean;
}

/** One labelled bar per value (e.g. accuracy per model); negative values hang below the zero line. */
export function barChart(file: string, bars: readonly { label: string; value: number }[], options: BarChartOptions = {}): string {
  return writeSvg(file, barChartSvg(bars, options), "barChart");
}

/** The SVG text of barChart. */
export function barChartSvg(bars: readonly { label: string; value: number }[], options: BarChartOptions = {}): string {
  const who = "barChart";
  if (bars.length === 0) throw new Error(`${who}: no bars to draw`);
  const values = bars.map((b) => b.value);
  checkFinite(who, "value", values);
  if (options.logY) checkPositive(who, "value", values);
  // Labels wider than a bar's slot are drawn slanted, with room below for them.
  const longest = Math.max(...bars.map((b) => [...b.label].length));
  const slanted = 6.5 * longest > 52;
  const bottom = slanted ? 28 + Math.ceil(3.4 * longest) : 64;
  const f = frame(Math.max(360, 80 + bars.length * 56), 336 + bottom, { left: 64, top: 36, right: 16, bottom });
  const y = options.logY ? makeScale(minimum(values), maximum(values), f.bottom, f.top, true) : makeScale(Math.min(0, ...values), Math.max(0, ...values), f.bottom, f.top);
  const parts = openSvg(f, options.title);
  parts.push(...axes(f, null, y, undefined, options.yLabel));
  const slot = (f.right - f.left) / bars.length;
  const base = options.logY ? y.map(y.low) : y.map(0);
  parts.push('<g class="bars">');
  bars.forEach((bar, i) => {
    const top = Math.min(base, y.map(bar.value)), height = Math.abs(base - y.map(bar.value));
    const left = f.left + i * slot + slot * 0.15;
    parts.push(`<rect x="${px(left)}" y="${px(top)}" width="${px(slot * 0.7)}" height="${px(height)}" fill="${colourOf(i)}"><title>${escapeXml(`${bar.label}: ${formatTick(bar.value)}`)}</title></rect>`);
  });
  parts.push("</g>");
  bars.forEach((bar, i) => {
    const cx = f.left + (i + 0.5) * slot;
    const label = escapeXml(bar.label);
    if (slanted) parts.push(`<text x="${px(cx)}" y="${f.bottom + 14}" text-anchor="end" transform="rotate(-35 ${px(cx)} ${f.bottom + 14})">${label}</text>`);
    else parts.push(`<text x="${px(cx)}" y="${f.bottom + 16}" text-anchor="middle">${label}</text>`);
    parts.push(`<text x="${px(cx)}" y="${px(Math.min(base, y.map(bar.value)) - 4)}" text-anchor="middle" font-size="10">${escapeXml(shortNumber(bar.value))}</text>`);
  });
  return closeSvg(parts);
}

// ─── small helpers ────────────────────────────────────────────────────────────

// Loops rather than Math.min(...values): spreading a million values overflows the stack.
function minimum(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

function maximum(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}
