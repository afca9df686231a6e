// PENDING (helper): activation functions.
import type { Tensor } from "../tensor.ts";
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export const relu = (_x: Tensor): Tensor => pending("relu");
export const leakyRelu = (_x: Tensor, _negativeSlope?: number): Tensor => pending("leakyRelu");
export const elu = (_x: Tensor, _alpha?: number): Tensor => pending("elu");
export const gelu = (_x: Tensor, _options?: { approximate?: "none" | "tanh" }): Tensor => pending("gelu");
export const silu = (_x: Tensor): Tensor => pending("silu");
export const softplus = (_x: Tensor, _options?: { beta?: number; threshold?: number }): Tensor => pending("softplus");
export const hardtanh = (_x: Tensor, _minVal?: number, _maxVal?: number): Tensor => pending("hardtanh");
