// The sinusoidal positional encoding of "Attention Is All You Need" (Vaswani
// et al. 2017). Attention itself does not know where a token sits: shuffle the
// tokens and each one gets the same output, shuffled. So a vector that says
// "position p" is added to each token's vector:
//
//   PE[p, 2i] = sin(p / 10000^(2i/d)),   PE[p, 2i + 1] = cos(p / 10000^(2i/d))
//
// Each pair of dimensions is a clock turning at its own speed: the first pairs
// tick fast (they tell neighbours apart), the last ones slowly (they tell the
// start of a long text from its end). GPT (src/architectures/gpt.ts) learns its
// position vectors instead (wpe); both work about as well.

import { tensor, type Tensor } from "../../src/index.ts";

/** [positions, dim]: the sinusoidal encoding of positions 0 … positions − 1 (dim even). */
export function sinusoidalPositionalEncoding(positions: number, dim: number): Tensor {
  if (!Number.isInteger(positions) || positions < 1) throw new Error(`sinusoidalPositionalEncoding: positions must be a positive integer, got ${positions}`);
  if (!Number.isInteger(dim) || dim < 2 || dim % 2 !== 0) throw new Error(`sinusoidalPositionalEncoding: dim must be a positive even integer, got ${dim}`);
  const values: number[][] = [];
  for (let p = 0; p < positions; p++) {
    const row: number[] = [];
    for (let i = 0; i < dim / 2; i++) {
      const angle = p / 10000 ** ((2 * i) / dim);   // the pair's clock turns slower as i grows
      row.push(Math.sin(angle), Math.cos(angle));
    }
    values.push(row);
  }
  return tensor(values);
}
