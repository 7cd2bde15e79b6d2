#!/usr/bin/python3
"""Writes tests/fixtures/hierarchical_softmax.json: PyTorch's float64 hierarchical softmax.

torch has no hierarchical softmax, so the reference is the definition written in torch: for a
tree given as nabla's children table ([C - 1, 2] int64: node k's left and right child, k >= 0 an
internal node, -1 - c class c; node 0 the root), log p(c | x) = sum over c's path of
logsigmoid(+s_k) going left and logsigmoid(-s_k) going right, s_k = x . W_k + b_k; the NLL is
-log p(target | x). Gradients by torch's autograd with respect to x, W and b.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_hierarchical_softmax_fixtures.py

Same encoding as make_nn_fixtures.py; tests/nn/hierarchical_softmax_fixtures_test.cpp reads it.
Ops: "hierarchical_log_softmax" with inputs [x, W, b, children]; "hierarchical_softmax_nll"
with inputs [x, W, b, children, target] and args {"reduction": "none" | "mean" | "sum"}.
"""
import torch

from fixture_io import add_case, randn, write_cases

torch.manual_seed(0)
torch.set_num_threads(1)

cases = []


def paths(children):
    """class -> [(node, went_left)], root first."""
    out, stack = {}, [(0, [])]
    while stack:
        node, path = stack.pop()
        for side in (0, 1):
            child = int(children[node][side])
            step = path + [(node, side == 0)]
            if child < 0:
                out[-1 - child] = step
            else:
                stack.append((child, step))
    return out


def log_probabilities(x, w, b, children):
    s = x @ w.T + b
    columns = []
    for c, path in sorted(paths(children).items()):
        terms = [torch.nn.functional.logsigmoid(s[:, k] if left else -s[:, k]) for k, left in path]
        columns.append(torch.stack(terms, 1).sum(1))
    return torch.stack(columns, 1)


def balanced(classes):
    """nabla's ClassTree.balanced: breadth-first halving, the first ceil(n/2) classes left."""
    children, queue, made = [[0, 0] for _ in range(classes - 1)], [(0, 0, classes)], 1
    while queue:
        node, lo, hi = queue.pop(0)
        mid = lo + (hi - lo + 1) // 2
        for side, (a, z) in enumerate(((lo, mid), (mid, hi))):
            if z - a == 1:
                children[node][side] = -1 - a
            else:
                children[node][side] = made
                queue.append((made, a, z))
                made += 1
    return children


# A lopsided tree over 6 classes (as Huffman gives skewed frequencies): class 3 at depth 1,
# classes 0 and 5 at depth 4.
lopsided = [[-4, 1], [2, -2], [-3, 3], [-1, 4], [-6, -5]]

for tree_name, children in (("balanced7", balanced(7)), ("balanced8", balanced(8)),
                            ("lopsided6", lopsided)):
    classes = len(children) + 1
    table = torch.tensor(children, dtype=torch.int64)
    x, w, b = randn(5, 4) * 2, randn(classes - 1, 4), randn(classes - 1)
    add_case(cases, f"log_softmax_{tree_name}", "hierarchical_log_softmax", [x, w, b, table],
             lambda x, w, b, t, ch=children: log_probabilities(x, w, b, ch), grad_inputs=(0, 1, 2))
    target = torch.tensor([(3 * i + 1) % classes for i in range(5)], dtype=torch.int64)
    for reduction in ("none", "mean", "sum"):
        def nll(x, w, b, t, y, ch=children, r=reduction):
            losses = -log_probabilities(x, w, b, ch).gather(1, y.unsqueeze(1)).squeeze(1)
            return {"none": losses, "mean": losses.mean(), "sum": losses.sum()}[r]
        add_case(cases, f"nll_{tree_name}_{reduction}", "hierarchical_softmax_nll",
                 [x, w, b, table, target], nll, {"reduction": reduction}, grad_inputs=(0, 1, 2))

write_cases("hierarchical_softmax.json", "tools/golden/make_hierarchical_softmax_fixtures.py", cases)
