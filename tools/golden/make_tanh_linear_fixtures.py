#!/usr/bin/python3
"""Writes tests/fixtures/tanh_linear.json: PyTorch's float64 tanh(x) + beta*x and its gradients.

torch has no module for it, so the reference is the formula itself in torch, differentiated by
torch's autograd: with respect to x, and to beta when beta is a tensor (one shared value, or one
per channel of dim 1, broadcast as nabla's per-channel parameters are).

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_tanh_linear_fixtures.py

Same encoding as make_nn_fixtures.py; tests/nn/tanh_linear_fixtures_test.cpp reads it. Ops:
"tanh_linear" with args {"beta": number} and inputs [x], or args {} and inputs [x, beta].
"""
import torch

from fixture_io import add_case, randn, write_cases

F64 = torch.float64

torch.manual_seed(0)
torch.set_num_threads(1)

cases = []


def per_channel(x, beta):
    """beta lined up with dim 1 of x: [C, 1, ..., 1], or a scalar for one value."""
    if beta.numel() == 1:
        return beta.reshape(())
    return beta.reshape([beta.numel()] + [1] * (x.dim() - 2))


def tanh_linear(x, beta):
    return torch.tanh(x) + x * per_channel(x, beta)


# Saturated inputs (|x| up to 30) are where the linear term matters: tanh's slope is ~0 there.
wide = torch.cat([randn(8) * 3, torch.tensor([-30.0, -8.0, 8.0, 30.0], dtype=F64)]).reshape(3, 4)
for beta in (0.1, 0.0, -0.05, 1.5):
    add_case(cases, f"tanh_linear_beta{beta}".replace("-", "neg"), "tanh_linear", [wide],
             lambda x, b=beta: torch.tanh(x) + b * x, {"beta": beta})
add_case(cases, "tanh_linear_shared_tensor_beta", "tanh_linear",
         [randn(2, 3, 4), torch.tensor([0.25], dtype=F64)], tanh_linear, grad_inputs=(0, 1))
add_case(cases, "tanh_linear_per_channel_beta", "tanh_linear",
         [randn(2, 3, 4) * 3, torch.tensor([0.1, -0.3, 0.5], dtype=F64)], tanh_linear,
         grad_inputs=(0, 1))
add_case(cases, "tanh_linear_per_feature_beta_2d", "tanh_linear",
         [randn(5, 4) * 2, torch.tensor([0.2, 0.7, -1.0, 0.05], dtype=F64)], tanh_linear,
         grad_inputs=(0, 1))
add_case(cases, "tanh_linear_per_channel_beta_images", "tanh_linear",
         [randn(2, 2, 3, 3) * 4, torch.tensor([0.01, 0.3], dtype=F64)], tanh_linear,
         grad_inputs=(0, 1))

write_cases("tanh_linear.json", "tools/golden/make_tanh_linear_fixtures.py", cases)
