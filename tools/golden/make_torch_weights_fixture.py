#!/usr/bin/python3
"""Writes tests/fixtures/torch_lenet5.safetensors and tests/fixtures/torch_lenet5_batch.safetensors.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_torch_weights_fixture.py

torch_lenet5.safetensors is a PyTorch state dict as safetensors.torch.save_file(model.state_dict(),
path) writes it: a LeNet-5 (nabla's `lenet5` layout: conv 5x5 pad 2, ReLU, max-pool, conv 5x5,
ReLU, max-pool, flatten, 120, 84, 3 classes) with torch's own initialisation, never trained, so
the numbers are torch's alone. torch_lenet5_batch.safetensors holds four inputs `input`
[4, 1, 28, 28] in [0, 1) and torch's eval-mode `logits` [4, 3] for them:
`nabla predict --weights torch_lenet5.safetensors --model lenet5 torch_lenet5_batch.safetensors
--logits` must give those logits (tests/cli/cli_predict_weights_test.cpp).
Deterministic: fixed seed, one thread; regenerating gives byte-identical files.
"""
import torch
from torch import nn

from fixture_io import fixture_path, safetensors_bytes

torch.manual_seed(0)
torch.set_num_threads(1)


def lenet5(classes):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))


def write(file_name, state, metadata):
    with open(fixture_path(file_name), "wb") as out:
        out.write(safetensors_bytes(state, metadata))
    print(f"wrote {file_name}: {', '.join(state)}")


def main():
    model = lenet5(3).eval()
    inputs = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        logits = model(inputs)
    state = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    write("torch_lenet5.safetensors", state, {"format": "pt"})
    write("torch_lenet5_batch.safetensors", {"input": inputs, "logits": logits},
          {"generator": "tools/golden/make_torch_weights_fixture.py",
           "torch_version": torch.__version__})


if __name__ == "__main__":
    main()
