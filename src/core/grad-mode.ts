// Grad mode: whether ops record the graph that backward() walks.
//
// Inside noGrad(fn) nothing is recorded (evaluation, optimizer updates);
// enableGrad(fn) turns recording back on inside a noGrad block.

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with grad mode set to `enabled`, restoring the previous mode afterwards (even on a throw). */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` without recording gradients, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradients recorded, even inside noGrad, like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Sets grad mode globally, like `torch.set_grad_enabled(mode)`. Prefer noGrad(fn). */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}
