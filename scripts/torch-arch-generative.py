"""PyTorch twins of src/architectures/autoencoder.ts (Autoencoder, VAE) and
src/architectures/gan.ts (GANGenerator, GANDiscriminator, the GAN losses),
written to test/fixtures/torch-arch/generative.json.

For tiny float64 configs: the state dict, fixed inputs (and the VAE's ε), the
outputs, the losses and the gradients of a scalar loss with respect to the
inputs and the parameters. For the full-size configs of the training scripts:
the parameter counts.

Run with Debian's python3-torch: /usr/bin/python3 scripts/torch-arch-generative.py
"""
import torch
import torch.nn.functional as F
from torch import nn

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture


def linear_stack(sizes, activation, activation_after_last=False):
    """Linear, activation, Linear, ..., Linear: the activations at odd indices, as linearStack in autoencoder.ts."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i + 2 < len(sizes) or activation_after_last:
            layers.append(activation())
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    def __init__(self, in_features, hidden_sizes, latent_dim, output_activation=None):
        super().__init__()
        self.encoder = linear_stack([in_features, *hidden_sizes, latent_dim], nn.ReLU)
        self.decoder = linear_stack([latent_dim, *reversed(hidden_sizes), in_features], nn.ReLU)
        if output_activation == "sigmoid":
            self.decoder.append(nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def reconstruction_error(self, x):
        return (self(x) - x).pow(2).mean(1)


class VAE(nn.Module):
    def __init__(self, in_features, hidden_sizes, latent_dim):
        super().__init__()
        last_hidden = hidden_sizes[-1] if hidden_sizes else in_features
        self.encoder = linear_stack([in_features, *hidden_sizes], nn.ReLU, activation_after_last=True)
        self.fc_mu = nn.Linear(last_hidden, latent_dim)
        self.fc_logvar = nn.Linear(last_hidden, latent_dim)
        self.decoder = linear_stack([latent_dim, *reversed(hidden_sizes), in_features], nn.ReLU)

    def forward(self, x, eps):
        h = self.encoder(x)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decoder(z), mu, logvar

    def loss(self, x, eps, beta=1.0):
        logits, mu, logvar = self(x, eps)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)).mean()
        return reconstruction + beta * kl, reconstruction, kl


class Generator(nn.Module):
    def __init__(self, noise_dim, hidden_sizes, out_features):
        super().__init__()
        self.net = linear_stack([noise_dim, *hidden_sizes, out_features], nn.ReLU)

    def forward(self, z):
        return self.net(z)


class Discriminator(nn.Module):
    def __init__(self, in_features, hidden_sizes, negative_slope=0.2):
        super().__init__()
        self.net = linear_stack([in_features, *hidden_sizes, 1], lambda: nn.LeakyReLU(negative_slope))

    def forward(self, x):
        return self.net(x)


def discriminator_loss(real_logits, fake_logits):
    return (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def generator_loss(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def parameter_grads(module):
    return {name: encode(p.grad) for name, p in module.named_parameters()}


# The full-size configs of training/vae.ts and training/gan.ts, and the digits autoencoder of the tests.
FULL = {
    "autoencoder": {"inFeatures": 64, "hiddenSizes": [128, 64], "latentDim": 8, "outputActivation": "sigmoid"},
    "vae": {"inFeatures": 64, "hiddenSizes": [256, 128], "latentDim": 8},
    "generator": {"noiseDim": 8, "hiddenSizes": [64, 64], "outFeatures": 2},
    "discriminator": {"inFeatures": 2, "hiddenSizes": [64, 64]},
}


def main():
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    fixture = {}

    # Autoencoder: 5 → 4 → 3 → 2 → 3 → 4 → 5, sigmoid output.
    config = {"inFeatures": 5, "hiddenSizes": [4, 3], "latentDim": 2, "outputActivation": "sigmoid"}
    model = Autoencoder(5, [4, 3], 2, "sigmoid")
    x = torch.rand(3, 5, requires_grad=True)
    out = model(x)
    error = model.reconstruction_error(x)
    error.mean().backward()
    fixture["autoencoder"] = {
        "config": config, "stateDict": encode_state_dict(model), "input": encode(x),
        "code": encode(model.encoder(x)), "output": encode(out), "reconstructionError": encode(error),
        "inputGrad": encode(x.grad), "paramGrads": parameter_grads(model),
    }

    # VAE: 6 → 5 → 4 → (μ, log σ²) of 3 → 4 → 5 → 6, with ε given; β = 1 and β = 0.5.
    config = {"inFeatures": 6, "hiddenSizes": [5, 4], "latentDim": 3}
    model = VAE(6, [5, 4], 3)
    x = torch.rand(4, 6, requires_grad=True)
    eps = torch.randn(4, 3)
    logits, mu, logvar = model(x, eps)
    loss, reconstruction, kl = model.loss(x, eps)
    loss.backward()
    half_beta_loss, _, _ = model.loss(x, eps, beta=0.5)
    fixture["vae"] = {
        "config": config, "stateDict": encode_state_dict(model), "input": encode(x), "eps": encode(eps),
        "logits": encode(logits), "mu": encode(mu), "logvar": encode(logvar),
        "loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item(), "lossBetaHalf": half_beta_loss.item(),
        "inputGrad": encode(x.grad), "paramGrads": parameter_grads(model),
    }

    # GAN: G 3 → 5 → 4 → 2 and D 2 → 5 → 4 → 1.
    netG = Generator(3, [5, 4], 2)
    netD = Discriminator(2, [5, 4])
    z = torch.randn(4, 3, requires_grad=True)
    real = torch.randn(4, 2)
    fake = netG(z)
    real_logits, fake_logits = netD(real), netD(fake)
    d_loss = discriminator_loss(real_logits, fake_logits)
    g_loss = generator_loss(fake_logits)
    g_loss.backward()
    fixture["gan"] = {
        "generatorConfig": {"noiseDim": 3, "hiddenSizes": [5, 4], "outFeatures": 2},
        "discriminatorConfig": {"inFeatures": 2, "hiddenSizes": [5, 4]},
        "generatorStateDict": encode_state_dict(netG), "discriminatorStateDict": encode_state_dict(netD),
        "noise": encode(z), "real": encode(real), "fake": encode(fake),
        "realLogits": encode(real_logits), "fakeLogits": encode(fake_logits),
        "discriminatorLoss": d_loss.item(), "generatorLoss": g_loss.item(), "noiseGrad": encode(z.grad),
    }

    fixture["fullParameterCounts"] = {
        "config": FULL,
        "autoencoder": parameter_count(Autoencoder(64, [128, 64], 8, "sigmoid")),
        "vae": parameter_count(VAE(**{"in_features": 64, "hidden_sizes": FULL["vae"]["hiddenSizes"], "latent_dim": 8})),
        "generator": parameter_count(Generator(FULL["generator"]["noiseDim"], FULL["generator"]["hiddenSizes"], 2)),
        "discriminator": parameter_count(Discriminator(2, FULL["discriminator"]["hiddenSizes"])),
    }
    write_fixture("generative", fixture)


if __name__ == "__main__":
    main()
