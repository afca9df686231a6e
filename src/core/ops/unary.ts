// PENDING (helper): elementwise math ops.
import type { Tensor } from "../tensor.ts";
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export const exp = (_x: Tensor): Tensor => pending("exp");
export const log = (_x: Tensor): Tensor => pending("log");
export const sqrt = (_x: Tensor): Tensor => pending("sqrt");
export const rsqrt = (_x: Tensor): Tensor => pending("rsqrt");
export const reciprocal = (_x: Tensor): Tensor => pending("reciprocal");
export const square = (_x: Tensor): Tensor => pending("square");
export const abs = (_x: Tensor): Tensor => pending("abs");
export const sin = (_x: Tensor): Tensor => pending("sin");
export const cos = (_x: Tensor): Tensor => pending("cos");
export const log1p = (_x: Tensor): Tensor => pending("log1p");
export const expm1 = (_x: Tensor): Tensor => pending("expm1");
export const tanh = (_x: Tensor): Tensor => pending("tanh");
export const sigmoid = (_x: Tensor): Tensor => pending("sigmoid");
export const sign = (_x: Tensor): Tensor => pending("sign");
