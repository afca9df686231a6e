// The training scripts by name, for `npm run train -- <name>`. Each module's
// default export is a Trainer (training/types.ts); modules load only when run.

export const TRAINERS: Record<string, string> = {
  mlp: "./mlp.ts",                 // MLP on the 8×8 digits
  lenet: "./lenet.ts",             // LeNet-5 on the Fashion-MNIST subset
  resnet: "./resnet.ts",           // a small ResNet on the Fashion-MNIST subset
  vit: "./vit.ts",                 // a Vision Transformer on the 8×8 digits
  "char-rnn": "./char-rnn.ts",     // RNN vs LSTM vs GRU character models on Pride and Prejudice
  gpt: "./gpt.ts",                 // a character-level GPT on Pride and Prejudice
  "ddpm-2d": "./ddpm-2d.ts",       // DDPM with an MLP denoiser on the swiss roll
  "ddpm-digits": "./ddpm-digits.ts", // DDPM with a U-Net on the 8×8 digits
  vae: "./vae.ts",                 // a VAE on the 8×8 digits
  gan: "./gan.ts",                 // a GAN on a ring of 8 Gaussians
};
