// gradschool's public API: `import { tensor, randn, ... } from "gradschool"`.
//
// On Node, matmul and conv2d run on the fast kernels of src/parallel (a pool
// of worker threads); src/core alone uses its reference kernels.
import { setBackend } from "./core/backend.ts";
import { parallelBackend } from "./parallel/index.ts";

setBackend(parallelBackend);

export * from "./core/index.ts";
export * as nn from "./nn/index.ts";
export * as F from "./nn/functional/index.ts";
export * as optim from "./nn/optim/index.ts";
// Datasets, DataLoader, transforms and tokenizers, like torch.utils.data (Node: the bundled files).
export * as data from "./data/index.ts";
// MLP, LeNet5, ResNet, ViT, CharRNN, SequenceModel, GPT, DDPM with MLPDenoiser and UNet, Autoencoder, VAE, GAN.
export * as architectures from "./architectures/index.ts";
// Files (Node): safetensors state dicts and training checkpoints, like torch.save / torch.load.
export { load, loadWithMetadata, save } from "./nn/serialization.ts";
export { loadCheckpoint, saveCheckpoint, type LoadedCheckpoint, type SaveCheckpointOptions } from "./nn/checkpoint.ts";
export { deserialize, serialize } from "./nn/safetensors.ts";
export { getNumThreads, setNumThreads } from "./parallel/index.ts";
