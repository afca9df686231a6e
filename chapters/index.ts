// The syllabus: every chapter, in order, with the module of its lesson.
// chapters/README.md is the same list in words; `npm start -- list` prints it.

export interface SyllabusEntry {
  number: number;
  /** The folder is NN-slug. */
  slug: string;
  title: string;
  /** The ideas it teaches, in a few words. */
  ideas: string;
}

export const SYLLABUS: readonly SyllabusEntry[] = [
  { number: 1, slug: "what-deep-learning-is", title: "What deep learning is", ideas: "hand-crafted features vs learned features" },
  { number: 2, slug: "why-depth-matters", title: "Why deep layers matter", ideas: "depth vs width at equal parameters; what a CNN's layers see" },
  { number: 3, slug: "how-it-learns", title: "How deep learning works, step by step", ideas: "forward pass, loss, backpropagation, gradient descent; autograd in 150 lines" },
  { number: 4, slug: "scaling-up-with-compute", title: "Scaling up with compute", ideas: "parallel kernels, GFLOP/s, FLOP counts, data-parallel training" },
  { number: 5, slug: "convolutional-networks", title: "Convolutional networks", ideas: "convolution by hand, LeNet and ResNet, augmentation, confusion matrix" },
  { number: 6, slug: "recurrent-networks", title: "Recurrent networks", ideas: "RNN vs LSTM vs GRU, vanishing gradients, character models, forecasting" },
  { number: 7, slug: "transformers", title: "Transformers", ideas: "BPE tokens, positional encoding, self-attention, a small GPT, a ViT" },
  { number: 8, slug: "diffusion-models", title: "Diffusion models", ideas: "noising and denoising, DDPM on 2-D points and on digits" },
  { number: 9, slug: "why-deep-learning-works", title: "Why deep learning works", ideas: "learned features probed, scaling laws, one architecture on two domains" },
  { number: 10, slug: "deep-learning-in-the-real-world", title: "Deep learning in the real world", ideas: "anomaly detection, demand forecasting, a calibrated medical-style classifier" },
  { number: 11, slug: "deep-learning-vs-traditional-ml", title: "Deep learning vs traditional machine learning", ideas: "logistic regression, k-NN and a decision tree vs an MLP" },
  { number: 12, slug: "limitations", title: "Limitations", ideas: "data hunger, saliency and integrated gradients, bias, compute cost" },
  { number: 13, slug: "the-future", title: "The future", ideas: "int8 quantization, a contrastive image–text model, a planning agent" },
];
