// Looking inside a network before it trains: are its activations healthy, does
// the gradient reach the first layer, and how big is one step compared with
// the weights? The same deeper network (2 → 32 → 32 → 32 → 1, tanh) twice:
// with PyTorch's default initialisation, and with every weight 4 times larger.
// Too-large weights push tanh onto its flat tails (|a| > 0.97, where
// tanh′ = 1 − a² < 0.06), and the gradient fades on its way back.

import path from "node:path";
import { F, nn, noGrad, optim, type Tensor } from "../../src/index.ts";
import { layerStatistics, snapshot, updateToDataRatios, type LayerStatistics } from "../_kit/diagnostics.ts";
import { barChart } from "../_kit/svg.ts";
import { formatTable } from "../_kit/terminal.ts";
import { say } from "../_kit/say.ts";

export interface InitialisationReport {
  name: string;
  statistics: LayerStatistics[];
  /** std(update) / std(weights) of each Linear's weight after one SGD step (lr 0.1). */
  updateRatios: number[];
}

function deepTanhNetwork(weightScale: number): nn.Sequential {
  const model = new nn.Sequential(
    new nn.Linear(2, 32, { dtype: "float64" }), new nn.Tanh(),
    new nn.Linear(32, 32, { dtype: "float64" }), new nn.Tanh(),
    new nn.Linear(32, 32, { dtype: "float64" }), new nn.Tanh(),
    new nn.Linear(32, 1, { dtype: "float64" }),
  );
  noGrad(() => {
    for (const [name, parameter] of model.namedParameters()) if (name.endsWith("weight")) parameter.mul_(weightScale);
  });
  return model;
}

/** Statistics of one network on (x, y) with binary cross-entropy, and the update:data ratios of one SGD step. */
export function inspectInitialisation(name: string, weightScale: number, x: Tensor, y: Tensor): InitialisationReport {
  const model = deepTanhNetwork(weightScale);
  const layers = [...model.namedChildren()].map(([index, layer]) => [`${layer.constructor.name} ${index}`, layer] as const);
  const target = y.double(); // the labels 0 and 1 as numbers
  const loss = (output: Tensor) => F.binaryCrossEntropyWithLogits(output.squeeze(1), target);
  const statistics = layerStatistics(layers, x, loss, { saturation: "tanh" });
  const weights = [...model.namedParameters()].filter(([n]) => n.endsWith("weight"));
  const before = snapshot(weights);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  optimizer.zeroGrad();
  loss(model.forward(x)).backward();
  optimizer.step();
  return { name, statistics, updateRatios: updateToDataRatios(weights, before).map((r) => r.ratio) };
}

/** Prints both reports as tables and draws the saturated fraction of each tanh layer. Returns the figure's path. */
export function describeInitialisations(reports: readonly InitialisationReport[], outDir: string): string {
  for (const report of reports) {
    say(`\n${report.name}:`);
    const rows = report.statistics.map((s) => [s.name, s.mean.toFixed(3), s.std.toFixed(3), s.name.startsWith("Tanh") ? `${(100 * s.saturated).toFixed(1)} %` : "", s.gradStd.toExponential(2)]);
    say(formatTable(rows, { header: ["layer", "mean", "std", "saturated", "std of ∂loss/∂output"] }));
    say(`update:data ratio of each weight after one step at lr 0.1: ${report.updateRatios.map((r) => r.toExponential(1)).join(", ")}`);
  }
  const bars = reports.flatMap((report, r) => report.statistics
    .filter((s) => s.name.startsWith("Tanh"))
    .map((s, k) => ({ label: `${r === 0 ? "default" : "×4"}, tanh ${k + 1}`, value: 100 * s.saturated })));
  return barChart(path.join(outDir, "saturated-units.svg"), bars, { title: "Saturated tanh units (|a| > 0.97) at initialisation", yLabel: "saturated (%)" });
}
