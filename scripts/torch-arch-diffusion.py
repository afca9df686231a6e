"""PyTorch twins of gradschool's diffusion models (src/architectures/diffusion.ts,
denoiser-mlp.ts, unet.ts), and the reference values the tests compare against.

Run it with Debian's PyTorch 1.13:

    /usr/bin/python3 scripts/torch-arch-diffusion.py

It writes test/fixtures/torch-arch/diffusion.json, read by
test/architectures/diffusion.test.ts. Everything is float64:

  schedules    the linear and cosine schedules for T = 100 (β, ᾱ, β̃ for every t) and
               ᾱ at a few steps for T = 1000
  q_sample     x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε for given x_0, t, ε (T = 100, linear)
  embedding    the sinusoidal time embedding of a few timesteps
  mlp, unet, unet3
               a tiny config of each denoiser: its options, its state dict, an input
               (x, t), the output, and the gradient of sum(output²) w.r.t. x
  *_full_parameters
               the parameter count of the default (training) configs

Parameters and inputs are rounded to 3 decimals so that the file stays small and
both sides read exactly the same doubles.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture

torch.manual_seed(20240611)
torch.set_default_dtype(torch.float64)


# ---- schedules --------------------------------------------------------------

def linear_betas(T, beta_start=None, beta_end=None):
    beta_start = 0.1 / T if beta_start is None else beta_start
    beta_end = 20 / T if beta_end is None else beta_end
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


def cosine_betas(T, s=0.008, max_beta=0.999):
    """Nichol & Dhariwal (2021), as diffusers' betas_for_alpha_bar ("squaredcos_cap_v2")."""
    f = lambda t: math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    return torch.tensor([min(1 - f(t + 1) / f(t), max_beta) for t in range(T)], dtype=torch.float64)


def schedule(betas):
    alphas_cumprod = torch.cumprod(1 - betas, 0)
    alphas_cumprod_prev = torch.cat([torch.ones(1), alphas_cumprod[:-1]])
    posterior_variance = betas * (1 - alphas_cumprod_prev) / (1 - alphas_cumprod)
    return {"betas": encode(betas), "alphas_cumprod": encode(alphas_cumprod), "posterior_variance": encode(posterior_variance)}


# ---- the models ---------------------------------------------------------------

class SinusoidalTimeEmbedding(nn.Module):
    def __init__(self, dim, max_period=10000):
        super().__init__()
        self.dim, self.max_period = dim, max_period

    def forward(self, t):
        half = self.dim // 2
        freqs = torch.exp(-math.log(self.max_period) * torch.arange(half, dtype=torch.float64) / half)
        angles = t[:, None].double() * freqs[None]
        return torch.cat([angles.sin(), angles.cos()], dim=1)


class MLPDenoiser(nn.Module):
    def __init__(self, data_dim=2, hidden_dim=128, layers=3, fourier_features=32, fourier_scale=4.0, time_dim=32):
        super().__init__()
        self.register_buffer("fourier_matrix", torch.randn(data_dim, fourier_features) * fourier_scale)
        self.time_embedding = SinusoidalTimeEmbedding(time_dim)
        self.input = nn.Linear(data_dim + 2 * fourier_features + time_dim, hidden_dim)
        self.hidden = nn.ModuleList(nn.Linear(hidden_dim, hidden_dim) for _ in range(layers - 1))
        self.output = nn.Linear(hidden_dim, data_dim)

    def forward(self, x, t):
        z = x @ self.fourier_matrix
        h = F.silu(self.input(torch.cat([x, z.sin(), z.cos(), self.time_embedding(t).to(x.dtype)], dim=1)))
        for layer in self.hidden:
            h = F.silu(layer(h))
        return self.output(h)


class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_dim, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time_proj = nn.Linear(time_dim, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = nn.Identity() if in_channels == out_channels else nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x, time):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_proj(F.silu(time))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class UNet(nn.Module):
    def __init__(self, image_channels=1, base_channels=16, channel_multipliers=(1, 2), groups=8):
        super().__init__()
        channels = [base_channels * m for m in channel_multipliers]
        time_dim = 4 * base_channels
        self.time_embedding = SinusoidalTimeEmbedding(base_channels)
        self.time_mlp = nn.Sequential(nn.Linear(base_channels, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
        self.conv_in = nn.Conv2d(image_channels, base_channels, 3, padding=1)
        self.down_blocks, self.downsamples = nn.ModuleList(), nn.ModuleList()
        current = base_channels
        for level, c in enumerate(channels):
            self.down_blocks.append(ResidualBlock(current, c, time_dim, groups))
            if level < len(channels) - 1:
                self.downsamples.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
            current = c
        self.mid_block = ResidualBlock(current, current, time_dim, groups)
        self.up_blocks, self.upsamples = nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(len(channels))):
            c = channels[level]
            self.up_blocks.append(ResidualBlock(current + c, c, time_dim, groups))
            if level > 0:
                self.upsamples.append(nn.ConvTranspose2d(c, c, 2, stride=2))
            current = c
        self.norm_out = nn.GroupNorm(groups, current)
        self.conv_out = nn.Conv2d(current, image_channels, 3, padding=1)
        self.levels = len(channels)

    def forward(self, x, t):
        time = self.time_mlp(self.time_embedding(t).to(x.dtype))
        h = self.conv_in(x)
        skips = []
        for level in range(self.levels):
            h = self.down_blocks[level](h, time)
            skips.append(h)
            if level < self.levels - 1:
                h = self.downsamples[level](h)
        h = self.mid_block(h, time)
        for i in range(self.levels):
            h = self.up_blocks[i](torch.cat([h, skips.pop()], dim=1), time)
            if i < self.levels - 1:
                h = self.upsamples[i](h)
        return self.conv_out(F.silu(self.norm_out(h)))


# ---- fixtures -----------------------------------------------------------------

def rounded(t):
    return torch.round(t * 1000) / 1000


def rounded_(module):
    with torch.no_grad():
        for p in [*module.parameters(), *module.buffers()]:
            p.copy_(rounded(p))
    return module


def case(model, options, x, t):
    """A denoiser's state dict, an input, its output and the gradient of sum(output²) w.r.t. x."""
    rounded_(model)
    x = rounded(x).requires_grad_(True)
    out = model(x, t)
    out.square().sum().backward()
    return {"options": options, "state": encode_state_dict(model), "x": encode(x), "t": encode(t),
            "output": encode(out), "input_grad": encode(x.grad)}


def main():
    data = {}
    data["schedules"] = {
        "linear100": schedule(linear_betas(100)),
        "cosine100": schedule(cosine_betas(100)),
        "steps1000": [0, 1, 249, 499, 749, 998, 999],
        "linear1000_alphas_cumprod": encode(torch.cumprod(1 - linear_betas(1000), 0)[[0, 1, 249, 499, 749, 998, 999]]),
        "cosine1000_alphas_cumprod": encode(torch.cumprod(1 - cosine_betas(1000), 0)[[0, 1, 249, 499, 749, 998, 999]]),
    }

    alphas_cumprod = torch.cumprod(1 - linear_betas(100), 0)
    x0, noise, t = rounded(torch.randn(3, 2)), rounded(torch.randn(3, 2)), torch.tensor([0, 41, 99])
    xt = alphas_cumprod[t].sqrt()[:, None] * x0 + (1 - alphas_cumprod[t]).sqrt()[:, None] * noise
    data["q_sample"] = {"timesteps": 100, "x0": encode(x0), "t": encode(t), "noise": encode(noise), "xt": encode(xt)}

    steps = torch.tensor([0, 1, 7, 150, 999])
    data["embedding"] = {"dim": 8, "t": encode(steps), "output": encode(SinusoidalTimeEmbedding(8)(steps))}

    data["mlp"] = case(MLPDenoiser(2, 8, 3, 3, 4.0, 6),
                       {"dataDim": 2, "hiddenDim": 8, "layers": 3, "fourierFeatures": 3, "fourierScale": 4, "timeEmbeddingDim": 6},
                       torch.randn(4, 2), torch.tensor([0, 5, 17, 99]))
    data["unet"] = case(UNet(1, 4, (1, 2), 2), {"baseChannels": 4, "channelMultipliers": [1, 2], "groups": 2},
                        torch.randn(2, 1, 8, 8), torch.tensor([3, 150]))
    data["unet3"] = case(UNet(1, 2, (1, 2, 2), 1), {"baseChannels": 2, "channelMultipliers": [1, 2, 2], "groups": 1},
                         torch.randn(2, 1, 8, 8), torch.tensor([0, 77]))

    data["mlp_full_parameters"] = parameter_count(MLPDenoiser())
    data["unet_full_parameters"] = parameter_count(UNet())
    write_fixture("diffusion", data)


if __name__ == "__main__":
    main()
