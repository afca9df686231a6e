import type { DType, TypedArray } from "./dtype.ts";

// The memory behind one or more tensors. Views (transpose, slice, reshape ...)
// share a Storage; `version` counts in-place writes, so autograd can notice
// that a tensor it saved for backward has been changed since.
export class Storage {
  version = 0;
  constructor(
    readonly data: TypedArray,
    readonly dtype: DType,
  ) {}

  /** Marks an in-place write (called by every in-place op). */
  bumpVersion(): void {
    this.version++;
  }
}
