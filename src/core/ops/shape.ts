// PENDING (helper): joining, splitting, indexing.
import type { Tensor } from "../tensor.ts";
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export const cat = (_tensors: readonly Tensor[], _dim?: number): Tensor => pending("cat");
export const stack = (_tensors: readonly Tensor[], _dim?: number): Tensor => pending("stack");
export const split = (_x: Tensor, _splitSizeOrSections: number | readonly number[], _dim?: number): Tensor[] => pending("split");
export const chunk = (_x: Tensor, _chunks: number, _dim?: number): Tensor[] => pending("chunk");
export const indexSelect = (_x: Tensor, _dim: number, _index: Tensor): Tensor => pending("indexSelect");
export const gather = (_x: Tensor, _dim: number, _index: Tensor): Tensor => pending("gather");
export const pad = (_x: Tensor, _pad: readonly number[], _options?: { mode?: "constant"; value?: number }): Tensor => pending("pad");
export const repeat = (_x: Tensor, ..._sizes: (number | readonly number[])[]): Tensor => pending("repeat");
