"""PyTorch twin of bench/hsoftmax_bench.cpp: one training step of a C-class output layer on 128
features at batch 256 (plain SGD 0.1), C = 1,000, 10,000, 100,000. "softmax C": nn.Linear +
cross_entropy. "hsoftmax C": hierarchical softmax over the same balanced class tree (node k's
children 2k + 1, 2k + 2 read breadth first, as nabla's ClassTree.balanced), written from
index_select, bmm and binary_cross_entropy_with_logits; PyTorch ships no hierarchical softmax.

    /usr/bin/python3 bench/torch/hsoftmax_bench.py

Prints one tab-separated line per row: name, samples/s, unit. Threads: NABLA_BENCH_THREADS.
"""
import math
import os

import torch
from torch import nn

from timing import seconds_per_call  # bench/torch/timing.py, next to this file

BATCH, FEATURES = 256, 128


def balanced_paths(classes):
    """[C, L] node, go-left and on-path tables of the balanced tree nabla builds."""
    children, todo, made = {}, [(0, 0, classes)], 1
    while todo:
        node, lo, hi = todo.pop(0)
        mid = lo + (hi - lo + 1) // 2
        kids = []
        for a, b in ((lo, mid), (mid, hi)):
            if b - a == 1:
                kids.append(("class", a))
            else:
                kids.append(("node", made))
                todo.append((made, a, b))
                made += 1
        children[node] = kids
    depth = math.ceil(math.log2(classes))
    nodes = torch.zeros(classes, depth, dtype=torch.long)
    left = torch.zeros(classes, depth)
    on = torch.zeros(classes, depth)
    stack = [(0, [])]
    while stack:
        node, path = stack.pop()
        for side, (kind, value) in enumerate(children[node]):
            step = path + [(node, side == 0)]
            if kind == "class":
                for l, (n, go_left) in enumerate(step):
                    nodes[value, l], left[value, l], on[value, l] = n, float(go_left), 1.0
            else:
                stack.append((value, step))
    return nodes, left, on


def row(name, params, loss_of, classes):
    opt = torch.optim.SGD(params, lr=0.1)
    x, y = torch.randn(BATCH, FEATURES), torch.randint(0, classes, (BATCH,))

    def step():
        opt.zero_grad()
        loss = loss_of(x, y)
        loss.backward()
        opt.step()

    rate = BATCH / seconds_per_call(step, segment_seconds=0.3, warmup_seconds=0.5)
    print(f"{name}\t{rate:.6g}\tsamples/s", flush=True)


def main():
    torch.set_num_threads(int(os.environ.get("NABLA_BENCH_THREADS", "2")))
    for classes in (1000, 10000, 100000):
        torch.manual_seed(0)
        linear = nn.Linear(FEATURES, classes)
        row(f"softmax {classes}", linear.parameters(),
            lambda x, y: nn.functional.cross_entropy(linear(x), y), classes)
        weight = nn.Parameter(torch.randn(classes - 1, FEATURES) / math.sqrt(FEATURES))
        bias = nn.Parameter(torch.zeros(classes - 1))
        nodes, left, on = balanced_paths(classes)

        def hsoftmax(x, y):
            n = nodes[y]
            s = torch.bmm(weight[n.flatten()].view(BATCH, -1, FEATURES), x.unsqueeze(2)).squeeze(2)
            s = s + bias[n]
            steps = nn.functional.binary_cross_entropy_with_logits(
                s, left[y], weight=on[y], reduction="none")
            return steps.sum(1).mean()

        row(f"hsoftmax {classes}", [weight, bias], hsoftmax, classes)


if __name__ == "__main__":
    main()
