"""The PyTorch twins of gradschool's recurrent architectures (src/architectures/char-rnn.ts and
sequence-model.ts), and the reference values test/architectures/recurrent.test.ts compares with.

Run it with Debian's PyTorch 1.13:

    /usr/bin/python3 scripts/torch-arch-recurrent.py

It writes test/fixtures/torch-arch/recurrent.json with, in float64:

  charRnn        for each cell (rnn, lstm, gru), a tiny 2-layer CharRNN: its state dict, a batch
                 of tokens and the next tokens, the logits and final state from a zero start, the
                 logits and final state from a given start state, and the gradient of the mean
                 cross-entropy with respect to every parameter;
  sequenceModel  for each cell, a tiny 2-layer SequenceModel: its state dict, an input, the output,
                 and the gradients of sum(output * upstream) with respect to the input and every parameter;
  parameterCounts the parameter counts of the full-size configurations used in training and tests.
"""
import torch
from torch import nn
import torch.nn.functional as F

from torch_arch_common import encode, encode_state_dict, parameter_count, write_fixture

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)

LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class CharRNN(nn.Module):
    """Embedding -> RNN / LSTM / GRU -> Linear: a character-level language model."""

    def __init__(self, vocab_size, cell="lstm", embedding_dim=32, hidden_size=64, num_layers=1, dropout=0.0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = LAYERS[cell](embedding_dim, hidden_size, num_layers, dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens, hidden=None):
        output, hidden = self.rnn(self.embedding(tokens), hidden)
        return self.head(self.drop(output)), hidden


class SequenceModel(nn.Module):
    """RNN / LSTM / GRU over [B, T, F], then a Linear on the last step's output."""

    def __init__(self, input_size, hidden_size, out_features, cell="lstm", num_layers=1, dropout=0.0):
        super().__init__()
        self.rnn = LAYERS[cell](input_size, hidden_size, num_layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(hidden_size, out_features)

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output[:, -1])


def encode_state(state):
    """h, or [h, c] for an LSTM, as a list of encoded tensors."""
    return [encode(s) for s in state] if isinstance(state, tuple) else [encode(state)]


def char_rnn_case(cell):
    vocab, embedding_dim, hidden, layers, batch, steps = 7, 5, 6, 2, 2, 5
    model = CharRNN(vocab, cell, embedding_dim, hidden, layers)
    tokens = torch.randint(0, vocab, (batch, steps))
    targets = torch.randint(0, vocab, (batch, steps))
    logits, final = model(tokens)
    start = torch.randn(layers, batch, hidden)
    start_state = (start, torch.randn(layers, batch, hidden)) if cell == "lstm" else start
    logits_from_start, final_from_start = model(tokens, start_state)
    loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
    loss.backward()
    return {
        "cell": cell,
        "config": {"vocabSize": vocab, "embeddingDim": embedding_dim, "hiddenSize": hidden, "numLayers": layers},
        "stateDict": encode_state_dict(model),
        "tokens": encode(tokens),
        "targets": encode(targets),
        "logits": encode(logits),
        "final": encode_state(final),
        "start": encode_state(start_state),
        "logitsFromStart": encode(logits_from_start),
        "finalFromStart": encode_state(final_from_start),
        "loss": loss.item(),
        "grads": {name: encode(p.grad) for name, p in model.named_parameters()},
    }


def sequence_model_case(cell):
    input_size, hidden, out, layers, batch, steps = 3, 4, 2, 2, 2, 4
    model = SequenceModel(input_size, hidden, out, cell, layers)
    x = torch.randn(batch, steps, input_size, requires_grad=True)
    output = model(x)
    upstream = torch.randn(batch, out)
    (output * upstream).sum().backward()
    return {
        "cell": cell,
        "config": {"inputSize": input_size, "hiddenSize": hidden, "outFeatures": out, "numLayers": layers},
        "stateDict": encode_state_dict(model),
        "input": encode(x),
        "output": encode(output),
        "upstream": encode(upstream),
        "inputGrad": encode(x.grad),
        "grads": {name: encode(p.grad) for name, p in model.named_parameters()},
    }


# The configurations trained in training/char-rnn.ts (75 characters in Pride and Prejudice) and in the tests.
CHAR_RNN_VOCAB, CHAR_RNN_EMBEDDING, CHAR_RNN_HIDDEN = 75, 32, 64
SINE_HIDDEN, CLASSIFIER_HIDDEN, CLASSIFIER_CLASSES = 16, 16, 3

parameter_counts = {
    **{f"charRnn.{cell}": parameter_count(CharRNN(CHAR_RNN_VOCAB, cell, CHAR_RNN_EMBEDDING, CHAR_RNN_HIDDEN)) for cell in LAYERS},
    "sequenceModel.sineRegression": parameter_count(SequenceModel(1, SINE_HIDDEN, 1, "lstm")),
    "sequenceModel.classification": parameter_count(SequenceModel(1, CLASSIFIER_HIDDEN, CLASSIFIER_CLASSES, "gru")),
}
print(parameter_counts)

write_fixture("recurrent", {
    "charRnn": [char_rnn_case(cell) for cell in LAYERS],
    "sequenceModel": [sequence_model_case(cell) for cell in LAYERS],
    "parameterCounts": parameter_counts,
})
