// The chapter's charts, drawn with the kit's SVG plots.

import { heatmap, lineChart, type LineSeries } from "../_kit/svg.ts";

/** The confusion matrix as an annotated heatmap (rows: true class, columns: prediction); returns the files written. */
export function drawConfusionMatrix(fileWithoutExtension: string, matrix: number[][], classes: readonly string[]): string[] {
  return [heatmap(`${fileWithoutExtension}.svg`, matrix, {
    title: "LeNet-5 on the test images: true class (rows) vs prediction (columns)",
    rowLabels: classes, columnLabels: classes, xLabel: "predicted class", yLabel: "true class", annotate: true,
  })];
}

/** Curves over epochs (or steps); returns the files written. */
export function drawCurves(fileWithoutExtension: string, series: readonly LineSeries[], options: { title: string; xLabel: string; yLabel: string }): string[] {
  return [lineChart(`${fileWithoutExtension}.svg`, series, options)];
}
