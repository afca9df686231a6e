// Counting the arithmetic of training, by formula.
//
// A Linear layer with `in` inputs and `out` outputs does in·out multiply-adds
// per sample: 2·in·out floating-point operations (FLOPs). Training does each
// product three times: once forward, and twice backward (the gradient with
// respect to the input, and with respect to the weights). Hence the rule of
// thumb for dense networks (Kaplan et al., 2020):
//
//   training FLOPs ≈ 6 · (weights) · (samples seen)
//
// A convolution's multiply-adds per image are Cout · Hout · Wout · Cin · K²
// (every output pixel of every output channel looks at a K×K window of every
// input channel). A transformer adds attention, 2·layers·context·width
// forward FLOPs per token (Kaplan et al.), again ×3 for training.

/** Training FLOPs of dense layers [in, out][], seeing `samples` samples. */
export function denseTrainingFlops(layers: readonly (readonly [number, number])[], samples: number): number {
  return 6 * layers.reduce((sum, [fanIn, fanOut]) => sum + fanIn * fanOut, 0) * samples;
}

/** Multiply-adds of one Conv2d on one image. */
export function conv2dMultiplyAdds(inChannels: number, outChannels: number, kernel: number, outHeight: number, outWidth: number): number {
  return outChannels * outHeight * outWidth * inChannels * kernel * kernel;
}

/** Training FLOPs of a network whose forward pass does `multiplyAdds` per sample: 3 passes × 2 FLOPs each. */
export function trainingFlopsFromMultiplyAdds(multiplyAdds: number, samples: number): number {
  return 6 * multiplyAdds * samples;
}

/** Training FLOPs of a decoder-only transformer: 6·N per token plus attention 6·layers·context·width. */
export function transformerTrainingFlops(parameters: number, layers: number, context: number, width: number, tokens: number): number {
  return (6 * parameters + 6 * layers * context * width) * tokens;
}
