// PENDING (helper): matrix products.
import type { Tensor } from "../tensor.ts";
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export const matmul = (_a: Tensor, _b: Tensor): Tensor => pending("matmul");
export const mm = (_a: Tensor, _b: Tensor): Tensor => pending("mm");
export const bmm = (_a: Tensor, _b: Tensor): Tensor => pending("bmm");
export const mv = (_a: Tensor, _v: Tensor): Tensor => pending("mv");
export const dot = (_a: Tensor, _b: Tensor): Tensor => pending("dot");
export const outer = (_a: Tensor, _b: Tensor): Tensor => pending("outer");
