"""PyTorch twin of bench/train_bench.cpp: one training step of MLP, LeNet-5 (SGD momentum 0.9)
and CNN-BN (Adam 1e-3) at batch 64, the reference models of shared/BENCHMARKING.md; and their
inference (eval mode, torch.no_grad, forward only) at batch 256 and batch 1.

    /usr/bin/python3 bench/torch/train_bench.py

Prints one tab-separated line per row: name, samples/s, unit. Threads: NABLA_BENCH_THREADS.
Timing: bench/torch/timing.py (warm-up, then the median of several timed segments).
"""
import os

import torch
from torch import nn

from timing import seconds_per_call  # bench/torch/timing.py, next to this file

BATCH = 64


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                         nn.ReLU(), nn.Linear(128, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def cnn_bn():
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64),
                         *block(64, 64), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128),
                         nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def row(name, model, adam):
    torch.manual_seed(0)
    opt = (torch.optim.Adam(model.parameters(), lr=1e-3) if adam
           else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    x, y = torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    print(f"{name}\t{BATCH / seconds_per_call(step, segment_seconds=0.3, warmup_seconds=0.5):.6g}\tsamples/s", flush=True)


def infer_row(name, model, batch):
    torch.manual_seed(0)
    model.eval()
    x = torch.randn(batch, 1, 28, 28)

    def forward():
        with torch.no_grad():
            model(x)

    print(f"{name}\t{batch / seconds_per_call(forward, segment_seconds=0.3, warmup_seconds=0.5):.6g}\tsamples/s", flush=True)


def main():
    torch.set_num_threads(int(os.environ.get("NABLA_BENCH_THREADS", "2")))
    row("train mlp", mlp(), False)
    row("train lenet5", lenet5(), False)
    row("train cnn_bn", cnn_bn(), True)
    for batch in (256, 1):
        infer_row(f"infer mlp b{batch}", mlp(), batch)
        infer_row(f"infer lenet5 b{batch}", lenet5(), batch)
        infer_row(f"infer cnn_bn b{batch}", cnn_bn(), batch)


if __name__ == "__main__":
    main()
