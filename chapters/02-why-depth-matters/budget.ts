// Sizing MLPs of different depths to the same number of parameters.
//
// An MLP with `depth` hidden layers, all `width` wide, from `inputs` to
// `outputs` has
//
//   (inputs·w + w)  +  (depth − 1)·(w·w + w)  +  (w·outputs + outputs)
//   first layer        the layers in between     the output layer
//
// weights and biases. For a budget B we pick the width whose count is
// nearest to B: one layer has to be very wide, four layers can be narrow.

/** The number of weights and biases of an MLP with `depth` hidden layers of `width` units. */
export function mlpParameterCount(inputs: number, width: number, depth: number, outputs: number): number {
  checkPositiveInteger("mlpParameterCount", { inputs, width, depth, outputs });
  return inputs * width + width + (depth - 1) * (width * width + width) + width * outputs + outputs;
}

/** The width (≥ 1) whose parameter count is nearest to `budget` for this depth. */
export function widthForBudget(inputs: number, depth: number, outputs: number, budget: number): number {
  checkPositiveInteger("widthForBudget", { inputs, depth, outputs, budget });
  // The count grows with the width, so walk up until it passes the budget and keep the nearer of the two last widths.
  let width = 1;
  while (mlpParameterCount(inputs, width + 1, depth, outputs) <= budget) width++;
  const below = Math.abs(mlpParameterCount(inputs, width, depth, outputs) - budget);
  const above = Math.abs(mlpParameterCount(inputs, width + 1, depth, outputs) - budget);
  return above < below ? width + 1 : width;
}

function checkPositiveInteger(who: string, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${who}: ${name} must be a positive integer, got ${value}`);
  }
}
