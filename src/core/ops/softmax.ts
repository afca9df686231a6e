// PENDING (helper): softmax and logSoftmax.
import type { Tensor } from "../tensor.ts";
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export const softmax = (_x: Tensor, _dim: number): Tensor => pending("softmax");
export const logSoftmax = (_x: Tensor, _dim: number): Tensor => pending("logSoftmax");
