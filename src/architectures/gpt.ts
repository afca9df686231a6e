// GPT: a decoder-only transformer that predicts the next token of a text
// (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners",
// GPT-2), in the layout of Karpathy's nanoGPT.
//
// The idea. A text is a sequence of token ids. For every position t the model
// outputs a score (logit) for each of the V tokens that could come next, and
// is trained so that the softmax of those scores gives the true next token a
// high probability (cross entropy). Each position may use only the tokens at
// or before it (causal attention), so one pass over T tokens trains T
// predictions at once, and generation can run the same model one token at a
// time.
//
// The network, for token ids idx [B, T] (B sequences of T ≤ blockSize tokens,
// C = nEmbd features):
//
//   x = wte[idx] + wpe[0 … T−1]                 [B, T, C]  token embedding + learned position embedding
//   x = dropout(x)
//   nLayer times (a pre-LayerNorm residual block):
//     x = x + attn(ln_1(x))                     the tokens exchange information (gpt-attention.ts)
//     x = x + mlp(ln_2(x))                      each token thinks on its own: c_proj(gelu(c_fc(·)))
//   logits = lm_head(ln_f(x))                   [B, T, V]  lm_head.weight is wte.weight (tied)
//   loss = cross_entropy(logits, targets)       targets[b, t] = idx[b, t + 1]
//
// The mlp widens to 4C features: c_fc [4C, C], exact GELU, c_proj [C, 4C].
// The output layer has no weight of its own: it reuses the token embedding
// matrix, so "the vector for token v" is the same when reading and writing it
// (weight tying, Press & Wolf 2017). It is one Parameter, counted and trained
// once; a state dict lists it under both names, as PyTorch's does.
//
// Parameter count (each weight tied once):
//   V·C (wte = lm_head) + blockSize·C (wpe) + nLayer·(12C² + 13C) + 2C (ln_f)
// with biases; without them each block has 12C² + 2C and ln_f C.
//
// Initialisation, nanoGPT's (GPT-2's): every Linear and Embedding weight
// N(0, 0.02), every bias 0, LayerNorms 1 and 0; then the two c_proj weights of
// each block, which write into the residual stream, N(0, 0.02/√(2·nLayer)), so
// that the stream's variance does not grow with depth.
//
// PyTorch: nanoGPT's model.py (GPTConfig, GPT, Block, MLP, CausalSelfAttention,
// LayerNorm); the state-dict keys are nanoGPT's: transformer.wte.weight,
// transformer.wpe.weight, transformer.h.0.ln_1.weight, transformer.h.0.attn.c_attn.weight,
// transformer.h.0.mlp.c_fc.weight, …, transformer.ln_f.weight, lm_head.weight.
//   model = GPT(GPTConfig(vocab_size=75, block_size=32, n_layer=2, n_head=4, n_embd=64, dropout=0.0, bias=False))
//   logits, loss = model(idx, targets)
//   out = model.generate(idx, max_new_tokens=300, temperature=0.8, top_k=None)
// Differences: forward always returns the logits of every position (nanoGPT
// returns only the last one when no targets are given); generate can use a
// key/value cache (nanoGPT recomputes the whole window for every token); and
// temperature 0 means greedy decoding.

import { arange, tensor } from "../core/creation.ts";
import type { DType } from "../core/dtype.ts";
import { noGrad } from "../core/grad-mode.ts";
import { cat } from "../core/ops/shape.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { ModuleList } from "../nn/containers.ts";
import { crossEntropy } from "../nn/functional/loss-classification.ts";
import { normal_, zeros_ } from "../nn/init.ts";
import { GELU } from "../nn/layers/activation.ts";
import { Dropout } from "../nn/layers/dropout.ts";
import { Embedding } from "../nn/layers/embedding.ts";
import { Linear } from "../nn/layers/linear.ts";
import { LayerNorm } from "../nn/layers/normalization.ts";
import { Module } from "../nn/module.ts";
import { CausalSelfAttention, KVCache, type LayerCache } from "./gpt-attention.ts";

export { CausalSelfAttention, causalMaskAfter, KVCache, LayerCache, type CausalSelfAttentionOptions } from "./gpt-attention.ts";

/** nanoGPT's GPTConfig. (nanoGPT's defaults are GPT-2 small's sizes; here the sizes must be given.) */
export interface GPTConfig {
  /** V, the number of distinct tokens. */
  vocabSize: number;
  /** The longest context the model reads (the number of learned positions). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** C, the width of every token's vector. */
  nEmbd: number;
  /** Dropout probability after the embeddings, on the attention weights and on each residual branch (default 0). */
  dropout?: number;
  /** Biases in the Linears and LayerNorms, as GPT-2 (default true). */
  bias?: boolean;
}

/** nanoGPT's LayerNorm: nn.LayerNorm over the last dim, whose bias may be left out (PyTorch's gained that option only in 2.1). */
function layerNorm(features: number, bias: boolean, dtype: DType): LayerNorm {
  const norm = new LayerNorm(features, { dtype });
  if (!bias) norm.bias = null;
  return norm;
}

/** The feed-forward part of a block: [B, T, C] → [B, T, 4C] → GELU → [B, T, C]. */
export class MLP extends Module {
  c_fc: Linear;
  gelu: GELU;
  c_proj: Linear;
  dropout: Dropout;

  constructor(nEmbd: number, { dropout = 0, bias = true, dtype = "float32" }: { dropout?: number; bias?: boolean; dtype?: DType } = {}) {
    super();
    this.c_fc = new Linear(nEmbd, 4 * nEmbd, { bias, dtype });
    this.gelu = new GELU();
    this.c_proj = new Linear(4 * nEmbd, nEmbd, { bias, dtype });
    this.dropout = new Dropout(dropout);
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(this.gelu.forward(this.c_fc.forward(x))));
  }
}

/** One transformer block, pre-LayerNorm: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
export class Block extends Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: MLP;

  constructor({ nEmbd, nHead, dropout, bias, dtype = "float32" }: { nEmbd: number; nHead: number; dropout: number; bias: boolean; dtype?: DType }) {
    super();
    this.ln_1 = layerNorm(nEmbd, bias, dtype);
    this.attn = new CausalSelfAttention({ nEmbd, nHead, dropout, bias, dtype });
    this.ln_2 = layerNorm(nEmbd, bias, dtype);
    this.mlp = new MLP(nEmbd, { dropout, bias, dtype });
  }

  forward(x: Tensor, cache: LayerCache | null = null): Tensor {
    const attended = x.add(this.attn.forward(this.ln_1.forward(x), cache));
    return attended.add(this.mlp.forward(this.ln_2.forward(attended)));
  }
}

/** The body of the model, nanoGPT's `transformer` ModuleDict: embeddings, blocks, final LayerNorm. */
export class GPTTransformer extends Module {
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  h: ModuleList<Block>;
  ln_f: LayerNorm;

  constructor({ vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias }: Required<GPTConfig>) {
    super();
    this.wte = new Embedding(vocabSize, nEmbd);
    this.wpe = new Embedding(blockSize, nEmbd);
    this.drop = new Dropout(dropout);
    this.h = new ModuleList(Array.from({ length: nLayer }, () => new Block({ nEmbd, nHead, dropout, bias })));
    this.ln_f = layerNorm(nEmbd, bias, "float32");
  }
}

export interface GPTForwardOptions {
  /** Continue from the positions in this cache (and extend it), instead of starting at position 0. */
  cache?: KVCache | null;
}

export interface GPTOutput {
  /** [B, T, V]: the score of every possible next token, at every position. */
  logits: Tensor;
  /** The mean cross entropy against the targets (nats per token), or null without targets. */
  loss: Tensor | null;
}

export interface SamplingOptions {
  /** Divides the logits: below 1 sharper, above 1 flatter; 0 picks the most likely token (default 1). */
  temperature?: number;
  /** Sample only among the k most likely tokens (default: all). */
  topK?: number | null;
  /** Where the random draws come from (default: the global generator). */
  generator?: Generator;
}

export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to append. */
  maxNewTokens: number;
  /** Keep each layer's keys and values between steps (default true); false recomputes the whole window every step. */
  useCache?: boolean;
}

/** A decoder-only transformer language model (GPT-2 / nanoGPT). */
export class GPT extends Module {
  readonly config: Readonly<Required<GPTConfig>>;
  transformer: GPTTransformer;
  lm_head: Linear;

  constructor(config: GPTConfig) {
    super();
    const full = { dropout: 0, bias: true, ...config };
    for (const name of ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const) {
      if (!Number.isInteger(full[name]) || full[name] < 1) throw new Error(`GPT: ${name} must be a positive integer, got ${full[name]}`);
    }
    if (full.nEmbd % full.nHead !== 0) throw new Error(`GPT: nEmbd (${full.nEmbd}) must be divisible by nHead (${full.nHead})`);
    this.config = Object.freeze(full);
    this.transformer = new GPTTransformer(full);
    this.lm_head = new Linear(full.nEmbd, full.vocabSize, { bias: false });
    this.lm_head.weight = this.transformer.wte.weight; // weight tying: one Parameter, two names
    this.resetParameters();
  }

  /** nanoGPT's initialisation: N(0, 0.02) weights, zero biases, and N(0, 0.02/√(2·nLayer)) for every c_proj weight. */
  resetParameters(): void {
    for (const module of this.modules()) {
      if (module instanceof Linear) {
        normal_(module.weight, 0, 0.02);
        if (module.bias !== null) zeros_(module.bias);
      } else if (module instanceof Embedding) {
        normal_(module.weight, 0, 0.02);
      }
    }
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, parameter] of this.namedParameters()) {
      if (name.endsWith("c_proj.weight")) normal_(parameter, 0, residualStd);
    }
  }

  /**
   * idx int32 [B, T] → logits [B, T, V], and the loss when targets int32 [B, T]
   * are given (a target of −1 is ignored, as in nanoGPT). With a cache, idx
   * holds the tokens after the cached ones, at positions cache.length onwards.
   */
  forward(idx: Tensor, targets: Tensor | null = null, { cache = null }: GPTForwardOptions = {}): GPTOutput {
    const past = cache === null ? 0 : cache.length;
    this.checkTokens(idx, past);
    const length = idx.shape[1]!;
    const { wte, wpe, drop, h, ln_f } = this.transformer;
    const positions = arange(past, past + length);                      // [T]: where each token sits
    let x = drop.forward(wte.forward(idx).add(wpe.forward(positions))); // [B, T, C]
    [...h].forEach((block, i) => {
      x = block.forward(x, cache === null ? null : cache.layer(i));
    });
    const logits = this.lm_head.forward(ln_f.forward(x));               // [B, T, V]
    if (targets === null) return { logits, loss: null };
    if (formatShape(targets.shape) !== formatShape(idx.shape)) {
      throw new Error(`GPT.forward: targets ${formatShape(targets.shape)} must have the shape of idx ${formatShape(idx.shape)}`);
    }
    const loss = crossEntropy(logits.reshape([-1, this.config.vocabSize]), targets.reshape([-1]), { ignoreIndex: -1 });
    return { logits, loss };
  }

  private checkTokens(idx: Tensor, past: number): void {
    if (idx.dtype !== "int32" || idx.ndim !== 2) {
      throw new Error(`GPT.forward: idx must be int32 token ids [B, T], got ${idx.dtype} of shape ${formatShape(idx.shape)}`);
    }
    const { blockSize } = this.config;
    if (past + idx.shape[1]! > blockSize) {
      const afterCache = past === 0 ? "" : ` after ${past} cached positions`;
      throw new Error(`GPT.forward: ${idx.shape[1]} tokens${afterCache} exceed blockSize ${blockSize}; crop the context to the last ${blockSize} tokens`);
    }
  }

  /**
   * Appends maxNewTokens sampled tokens to the prompt (int32 [B, T], or the ids
   * of one sequence) and returns prompt and continuation together, in the
   * prompt's form. Each step feeds the model the last blockSize tokens at most,
   * takes the logits of the last position and samples one token per row.
   *
   * With useCache (the default), the prompt is run once and every later step
   * runs only the newest token, reusing the cached keys and values: one
   * position of work per token instead of the whole window. Once the sequence
   * is longer than blockSize the window slides, every token moves to a new
   * position and its cached keys (which include its position embedding) no
   * longer hold; from then on each step recomputes the window, exactly as
   * without the cache. Either way the tokens drawn are the same.
   *
   * The model is in eval mode while it generates (no dropout), and gradients
   * are off; the previous mode is restored afterwards.
   */
  generate(prompt: Int32Array, options: GenerateOptions): Int32Array;
  generate(prompt: Tensor, options: GenerateOptions): Tensor;
  generate(prompt: Int32Array | Tensor, options: GenerateOptions): Int32Array | Tensor {
    const idx = prompt instanceof Tensor ? prompt : tensor(prompt, { dtype: "int32", shape: [1, prompt.length] });
    if (idx.dtype !== "int32" || idx.ndim !== 2 || idx.shape[1] === 0) {
      throw new Error(`GPT.generate: the prompt must be int32 token ids [B, T] with T ≥ 1, got ${idx.dtype} of shape ${formatShape(idx.shape)}`);
    }
    if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 0) {
      throw new Error(`GPT.generate: maxNewTokens must be a non-negative integer, got ${options.maxNewTokens}`);
    }
    const wasTraining = this.training;
    this.eval();
    try {
      const result = noGrad(() => this.sampleTokens(idx, options));
      return prompt instanceof Tensor ? result : (result.toTypedArray() as Int32Array);
    } finally {
      this.train(wasTraining);
    }
  }

  private sampleTokens(prompt: Tensor, { maxNewTokens, useCache = true, ...sampling }: GenerateOptions): Tensor {
    const { blockSize } = this.config;
    const cache = useCache ? new KVCache(this.config.nLayer) : null;
    let sequence = prompt.contiguous(); // [B, L], L grows by one per step
    for (let step = 0; step < maxNewTokens; step++) {
      const length = sequence.shape[1]!;
      let logits: Tensor;
      if (cache !== null && length <= blockSize) {
        // Only the positions the cache has not seen: the whole prompt first, then one token per step.
        const unseen = sequence.narrow(1, cache.length, length - cache.length).contiguous();
        logits = this.forward(unseen, null, { cache }).logits;
      } else {
        const window = sequence.narrow(1, Math.max(0, length - blockSize), Math.min(length, blockSize)).contiguous();
        logits = this.forward(window).logits;
      }
      const next = sampleFromLogits(logits.select(1, -1), sampling); // one token per row
      sequence = cat([sequence, tensor(next, { dtype: "int32", shape: [next.length, 1] })], 1);
    }
    return sequence;
  }

  override extraRepr(): string {
    const { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias } = this.config;
    return `vocab_size=${vocabSize}, block_size=${blockSize}, n_layer=${nLayer}, n_head=${nHead}, n_embd=${nEmbd}, dropout=${dropout}, bias=${bias ? "True" : "False"}`;
  }
}

/**
 * One token id per row of logits [B, V]: softmax(logits / temperature)
 * restricted to the topK largest logits, then one draw from that distribution
 * (torch.multinomial). Ties with the k-th largest logit are kept, as in
 * nanoGPT's `logits[logits < v[:, [-1]]] = -inf`. Temperature 0 returns the
 * most likely token (the first one on a tie).
 */
export function sampleFromLogits(logits: Tensor, { temperature = 1, topK = null, generator = defaultGenerator }: SamplingOptions = {}): Int32Array {
  if (logits.ndim !== 2) throw new Error(`sampleFromLogits: logits must be [B, V], got shape ${formatShape(logits.shape)}`);
  if (!(temperature >= 0 && Number.isFinite(temperature))) throw new Error(`sampleFromLogits: temperature must be ≥ 0, got ${temperature}`);
  const [rows, vocabSize] = logits.shape as [number, number];
  if (topK !== null && (!Number.isInteger(topK) || topK < 1)) throw new Error(`sampleFromLogits: topK must be a positive integer, got ${topK}`);
  const values = logits.contiguous().toTypedArray();
  const tokens = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const scores = Array.from(values.subarray(row * vocabSize, (row + 1) * vocabSize), Number);
    tokens[row] = temperature === 0 ? argmaxOf(scores) : drawToken(scores, temperature, topK, generator);
  }
  return tokens;
}

function argmaxOf(scores: readonly number[]): number {
  let best = 0;
  scores.forEach((score, i) => {
    if (score > scores[best]!) best = i;
  });
  return best;
}

/** One draw from softmax(scores / temperature), the scores below the topK-th largest left out. */
function drawToken(scores: readonly number[], temperature: number, topK: number | null, generator: Generator): number {
  const cutoff = topK === null || topK >= scores.length ? -Infinity : [...scores].sort((a, b) => b - a)[topK - 1]!;
  const highest = scores.reduce((a, b) => Math.max(a, b), -Infinity);
  // Unnormalised probabilities exp((s − max) / T); subtracting the max keeps exp from overflowing.
  const weights = scores.map((score) => (score >= cutoff ? Math.exp((score - highest) / temperature) : 0));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let remaining = generator.random() * total; // a point in [0, total): the token whose interval holds it
  for (let token = 0; token < weights.length; token++) {
    remaining -= weights[token]!;
    if (remaining < 0) return token;
  }
  return argmaxOf(weights); // only reached through rounding: the draw fell at the very end
}
