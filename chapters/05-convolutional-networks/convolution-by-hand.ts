// A 2-D convolution written with plain loops, to see exactly what F.conv2d computes.
//
// Deep-learning "convolution" is a cross-correlation: slide the kernel over the
// image and, at each place, take the sum of the products of overlapping numbers:
//
//   out[y][x] = Σ_i Σ_j image[y + i − p][x + j − p] · kernel[i][j]      (p = padding; outside the image counts as 0)
//
// (a mathematician's convolution would flip the kernel first; a learned kernel
// does not care which way round it is stored, so PyTorch does not flip.)

/** A greyscale image or a kernel: rows of numbers, all of the same length. */
export type Grid = number[][];

/** Slides `kernel` over `image` with `padding` zeros on every side, stride 1. */
export function convolveByHand(image: Grid, kernel: Grid, padding = 0): Grid {
  const height = image.length, width = image[0]?.length ?? 0;
  const kh = kernel.length, kw = kernel[0]?.length ?? 0;
  if (kh === 0 || kw === 0) throw new Error("convolveByHand: the kernel is empty");
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`convolveByHand: padding must be an integer ≥ 0, got ${padding}`);
  const outHeight = height + 2 * padding - kh + 1, outWidth = width + 2 * padding - kw + 1;
  if (outHeight < 1 || outWidth < 1) throw new Error(`convolveByHand: a ${kh}×${kw} kernel does not fit a ${height}×${width} image with padding ${padding}`);
  const pixel = (y: number, x: number): number => (y < 0 || y >= height || x < 0 || x >= width ? 0 : image[y]![x]!);
  const out: Grid = [];
  for (let y = 0; y < outHeight; y++) {
    const row: number[] = [];
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) sum += pixel(y + i - padding, x + j - padding) * kernel[i]![j]!;
      }
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

/** Sobel kernels: they respond to a change of brightness from left to right (x) and from top to bottom (y). */
export const SOBEL_X: Grid = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
export const SOBEL_Y: Grid = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]];
