// Temperature scaling (Guo et al., "On Calibration of Modern Neural
// Networks", 2017): divide every logit by one number T > 0 before the softmax.
// T > 1 softens overconfident probabilities, T < 1 sharpens timid ones, and
// since dividing by T never changes which logit is largest, the predictions
// (and the accuracy) stay exactly the same. T is fitted on a validation split
// by minimising the negative log-likelihood, never on the test set.

import { F, noGrad, type Tensor } from "../../src/index.ts";

/** The mean negative log-likelihood (cross-entropy, nats) of labels y under softmax(logits / T). */
export function temperatureNll(logits: Tensor, y: Tensor, temperature: number): number {
  return noGrad(() => F.crossEntropy(logits.div(temperature), y).item());
}

/**
 * The T in [0.05, 20] that minimises temperatureNll on (logits, y): a
 * golden-section search over log T (the NLL is smooth and has one minimum in T).
 */
export function fitTemperature(logits: Tensor, y: Tensor): number {
  const golden = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(0.05), high = Math.log(20);
  const nll = (logT: number): number => temperatureNll(logits, y, Math.exp(logT));
  let a = high - golden * (high - low), b = low + golden * (high - low);
  let fa = nll(a), fb = nll(b);
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      high = b; b = a; fb = fa;
      a = high - golden * (high - low); fa = nll(a);
    } else {
      low = a; a = b; fa = fb;
      b = low + golden * (high - low); fb = nll(b);
    }
  }
  return Math.exp((low + high) / 2);
}
