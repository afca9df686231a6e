// PENDING (helper): PyTorch-style printing.
import type { Tensor } from "./tensor.ts";
export function formatTensor(t: Tensor): string {
  return `tensor(${JSON.stringify(t.tolist())})`;
}
