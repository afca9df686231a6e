// Embedding: a learned vector per token id.

import { zeros } from "../../core/creation.ts";
import { isFloating, type DType } from "../../core/dtype.ts";
import { noGrad } from "../../core/grad-mode.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { embedding, resolvePaddingIdx } from "../functional/embedding.ts";
import { normal_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { checkFeatures } from "./linear.ts";

export interface EmbeddingLayerOptions {
  /** A row that stays zero and is never trained (negative counts from the end), e.g. for a padding token. */
  paddingIdx?: number | null;
  dtype?: DType;
  /** Start from a copy of these values [numEmbeddings, embeddingDim] instead of random ones (PyTorch's `_weight`). */
  weight?: Tensor;
}

/**
 * A lookup table, like torch.nn.Embedding: weight [numEmbeddings,
 * embeddingDim] starts N(0, 1); forward maps int32 indices of any shape to
 * [...shape, embeddingDim]. The same as a Linear layer without bias applied
 * to one-hot vectors, without building them. With paddingIdx, that row starts
 * at zero and its gradient is always zero, so it stays zero.
 */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingLayerOptions = {}) {
    super();
    const { paddingIdx = null, weight } = options;
    checkFeatures("Embedding", { numEmbeddings, embeddingDim });
    const dtype = options.dtype ?? weight?.dtype ?? "float32";
    if (!isFloating(dtype)) throw new Error(`Embedding: the weight must be float32 or float64, got ${dtype}`);
    this.paddingIdx = resolvePaddingIdx("Embedding", paddingIdx, numEmbeddings);
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype }));
    if (weight === undefined) {
      this.resetParameters();
    } else {
      if (formatShape(weight.shape) !== formatShape([numEmbeddings, embeddingDim])) {
        throw new Error(`Embedding: the initial weight ${formatShape(weight.shape)} must have shape [numEmbeddings, embeddingDim] = ` +
          `${formatShape([numEmbeddings, embeddingDim])}`);
      }
      noGrad(() => this.weight.copy_(weight.to(dtype)));
    }
  }

  /** PyTorch's default: every entry N(0, 1), then the padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    this.zeroPaddingRow();
  }

  private zeroPaddingRow(): void {
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).zero_());
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const padding = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${padding}`;
  }

  /**
   * An Embedding holding a copy of `embeddings` [numEmbeddings, embeddingDim],
   * frozen (not trained) unless freeze is false, like Embedding.from_pretrained.
   * The padding row is kept as given, as PyTorch does.
   */
  static fromPretrained(embeddings: Tensor, { freeze = true, paddingIdx = null }: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) {
      throw new Error(`Embedding.fromPretrained: embeddings must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(embeddings.shape)}`);
    }
    const [rows, dim] = embeddings.shape as [number, number];
    const layer = new Embedding(rows, dim, { paddingIdx, weight: embeddings });
    layer.weight.requiresGrad = !freeze;
    return layer;
  }
}
