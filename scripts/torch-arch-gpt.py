"""Writes the PyTorch reference for gradschool's GPT (src/architectures/gpt.ts).

Run it with PyTorch 1.13:

    /usr/bin/python3 scripts/torch-arch-gpt.py

It writes test/fixtures/torch-arch/gpt.json, read by test/architectures/gpt.test.ts.

The model below is a GPT in nanoGPT's layout (model.py): the same modules, the
same parameter names (transformer.wte.weight, transformer.h.0.attn.c_attn.weight,
lm_head.weight ...), the tied lm_head/wte weight, nanoGPT's initialisation.
The causal attention is written out (PyTorch 1.13 has no
scaled_dot_product_attention), with the mask built on the fly, so there is no
`attn.bias` buffer, as in nanoGPT on PyTorch 2.

For tiny float64 configs (with and without biases) the fixture holds the state
dict, token ids and targets, the logits and the loss, and the gradient of the
loss with respect to every parameter (the tied weight once, carrying the
gradient of both its uses); for the configs used in training, the parameter
counts.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture


class LayerNorm(nn.Module):
    """LayerNorm over the last dim whose bias may be absent (nn.LayerNorm gained bias=False only in PyTorch 2.1)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.n_head = n_head
        self.n_embd = n_embd

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // self.n_head)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        weights = self.attn_dropout(scores.softmax(dim=-1))
        y = (weights @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, n_embd, dropout, bias):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, dropout, bias):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout, bias)
        self.ln_2 = LayerNorm(n_embd, bias)
        self.mlp = MLP(n_embd, dropout, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, dropout=0.0, bias=True):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            drop=nn.Dropout(dropout),
            h=nn.ModuleList([Block(n_embd, n_head, dropout, bias) for _ in range(n_layer)]),
            ln_f=LayerNorm(n_embd, bias),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        T = idx.shape[1]
        pos = torch.arange(T)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


# The configs of training/gpt.ts, whose parameter counts the tests check.
TRAINING_CONFIGS = {
    "char": dict(vocab_size=75, block_size=32, n_layer=2, n_head=4, n_embd=64, dropout=0.0, bias=False),
}


def tiny_case(name, bias):
    torch.manual_seed(0)
    config = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8, dropout=0.0, bias=bias)
    model = GPT(**config).double()
    # Larger weights than the N(0, 0.02) initialisation, so that every part of the network matters in the output.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    idx = torch.randint(0, 11, (2, 7))
    targets = torch.randint(0, 11, (2, 7))
    targets[1, 3] = -1  # ignored, as nanoGPT's ignore_index=-1
    logits, loss = model(idx, targets)
    loss.backward()
    return {
        "name": name,
        "config": {"vocabSize": 11, "blockSize": 8, "nLayer": 2, "nHead": 2, "nEmbd": 8, "dropout": 0.0, "bias": bias},
        "parameterCount": parameter_count(model),
        "parameterNames": [n for n, _ in model.named_parameters()],
        "stateDict": encode_state_dict(model),
        "idx": encode(idx),
        "targets": encode(targets),
        "logits": encode(logits),
        "loss": loss.item(),
        "grads": [[n, encode(p.grad)] for n, p in model.named_parameters()],
    }


def main():
    counts = {}
    for key, config in TRAINING_CONFIGS.items():
        model = GPT(**config)
        counts[key] = {"config": config, "parameterCount": parameter_count(model),
                       "nonEmbeddingCount": parameter_count(model) - model.transformer.wpe.weight.numel()}
    write_fixture("gpt", {
        "cases": [tiny_case("bias", True), tiny_case("no bias", False)],
        "trainingConfigs": counts,
    })


if __name__ == "__main__":
    main()
