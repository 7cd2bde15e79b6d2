#!/usr/bin/python3
"""Writes tests/fixtures/nn.json: PyTorch's float64 activations and losses for nabla::nn.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_nn_fixtures.py

Same encoding as make_fixtures.py. Each case names a function of nabla::nn::functional
("op"; tests/nn/nn_fixtures_test.cpp maps it), its scalar args, its inputs, PyTorch's output,
and, where "grad_output" is present, "grads": the gradient of (output * grad_output).sum()
with respect to each input (null for inputs not differentiated: targets, weights).
Loss cases list their inputs as [input, target] followed by `weight` and then `pos_weight`
when the args say "weight": true / "pos_weight": true.
"""
import torch
import torch.nn.functional as F

from fixture_io import add_case, randn, write_cases

F64 = torch.float64

torch.manual_seed(0)
torch.set_num_threads(1)

cases = []



def case(name, op, inputs, fn, args=None, grad_inputs=(0,)):
    add_case(cases, name, op, inputs, fn, args, grad_inputs)


# --- activations ------------------------------------------------------------------------
def lecun_tanh(x):
    return 1.7159 * torch.tanh(x * (2.0 / 3.0))


# Inputs avoid exact kinks at 0 (randn never hits them) and include large magnitudes for the
# saturating and thresholded branches.
wide = torch.cat([randn(8) * 3, torch.tensor([-30.0, -8.0, 8.0, 30.0], dtype=F64)]).reshape(3, 4)
SIMPLE = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "lecun_tanh": lecun_tanh,
          "relu": torch.relu, "silu": F.silu}
for op, fn in SIMPLE.items():
    case(f"{op}_2d", op, [randn(2, 5)], fn)
    case(f"{op}_wide_range", op, [wide], fn)

for slope in (0.01, 0.2):
    case(f"leaky_relu_slope{slope}", "leaky_relu", [wide],
         lambda x, s=slope: F.leaky_relu(x, s), {"negative_slope": slope})
for alpha in (1.0, 0.5):
    case(f"elu_alpha{alpha}", "elu", [wide], lambda x, a=alpha: F.elu(x, a), {"alpha": alpha})
for beta, threshold in [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0)]:
    case(f"softplus_beta{beta}_threshold{threshold}", "softplus", [wide],
         lambda x, b=beta, t=threshold: F.softplus(x, b, t), {"beta": beta, "threshold": threshold})
for approximate in ("none", "tanh"):
    case(f"gelu_{approximate}", "gelu", [wide], lambda x, a=approximate: F.gelu(x, approximate=a),
         {"approximate": approximate})
case("prelu_shared", "prelu", [randn(2, 3, 4), torch.tensor([0.25], dtype=F64)], F.prelu,
     grad_inputs=(0, 1))
case("prelu_per_channel", "prelu", [randn(2, 3, 4), torch.tensor([0.1, -0.3, 0.5], dtype=F64)],
     F.prelu, grad_inputs=(0, 1))
case("prelu_per_channel_2d", "prelu", [randn(4, 3), torch.tensor([0.2, 0.7, -1.0], dtype=F64)],
     F.prelu, grad_inputs=(0, 1))
for dim in (0, 1, -1):
    case(f"softmax_dim{dim}".replace("-", "neg"), "softmax", [randn(3, 4)],
         lambda x, d=dim: F.softmax(x, d), {"dim": dim})
    case(f"log_softmax_dim{dim}".replace("-", "neg"), "log_softmax", [randn(3, 4)],
         lambda x, d=dim: F.log_softmax(x, d), {"dim": dim})

# --- losses -----------------------------------------------------------------------------
REDUCTIONS = ("none", "mean", "sum")


def loss_case(name, op, inputs, fn, args, reduction):
    """One case per reduction; fn(*inputs, reduction=...)."""
    args = dict(args, reduction=reduction)
    case(f"{name}_{reduction}", op, inputs, lambda *t: fn(*t, reduction=reduction), args)


C = 5
logits = randn(4, C)
labels = torch.tensor([1, 0, 4, 1], dtype=torch.int64)
labels_ignored = torch.tensor([1, -100, 4, 3], dtype=torch.int64)
labels_custom_ignore = torch.tensor([2, 2, 0, 3], dtype=torch.int64)
class_weight = torch.rand(C, dtype=F64) + 0.5
soft = torch.softmax(randn(4, C), 1)
logits_3d = randn(2, C, 3)
labels_3d = torch.randint(0, C, (2, 3))
logp = torch.log_softmax(randn(4, C), 1)
for r in REDUCTIONS:
    loss_case("cross_entropy", "cross_entropy", [logits, labels], F.cross_entropy, {}, r)
    loss_case("cross_entropy_weight", "cross_entropy", [logits, labels, class_weight],
              lambda x, t, w, reduction: F.cross_entropy(x, t, w, reduction=reduction),
              {"weight": True}, r)
    loss_case("cross_entropy_ignore_index", "cross_entropy", [logits, labels_ignored],
              F.cross_entropy, {}, r)
    loss_case("cross_entropy_custom_ignore_weight", "cross_entropy",
              [logits, labels_custom_ignore, class_weight],
              lambda x, t, w, reduction: F.cross_entropy(x, t, w, ignore_index=2,
                                                         reduction=reduction),
              {"weight": True, "ignore_index": 2}, r)
    loss_case("cross_entropy_label_smoothing", "cross_entropy", [logits, labels_ignored],
              lambda x, t, reduction: F.cross_entropy(x, t, reduction=reduction,
                                                      label_smoothing=0.1),
              {"label_smoothing": 0.1}, r)
    loss_case("cross_entropy_smoothing_weight", "cross_entropy",
              [logits, labels_ignored, class_weight],
              lambda x, t, w, reduction: F.cross_entropy(x, t, w, reduction=reduction,
                                                         label_smoothing=0.2),
              {"weight": True, "label_smoothing": 0.2}, r)
    loss_case("cross_entropy_soft_target", "cross_entropy", [logits, soft], F.cross_entropy,
              {}, r)
    loss_case("cross_entropy_soft_target_weight_smoothing", "cross_entropy",
              [logits, soft, class_weight],
              lambda x, t, w, reduction: F.cross_entropy(x, t, w, reduction=reduction,
                                                         label_smoothing=0.15),
              {"weight": True, "label_smoothing": 0.15}, r)
    loss_case("cross_entropy_spatial", "cross_entropy", [logits_3d, labels_3d], F.cross_entropy,
              {}, r)
    loss_case("nll_loss", "nll_loss", [logp, labels], F.nll_loss, {}, r)
    loss_case("nll_loss_weight_ignore", "nll_loss", [logp, labels_ignored, class_weight],
              lambda x, t, w, reduction: F.nll_loss(x, t, w, reduction=reduction),
              {"weight": True}, r)

case("cross_entropy_unbatched", "cross_entropy", [randn(C), torch.tensor(3)], F.cross_entropy,
     {"reduction": "mean"})

probs = torch.rand(3, 4, dtype=F64) * 0.9 + 0.05
bits = (torch.rand(3, 4, dtype=F64) > 0.5).to(F64)
soft_bits = torch.rand(3, 4, dtype=F64)
elem_weight = torch.rand(3, 4, dtype=F64) + 0.5
pos_weight = torch.rand(4, dtype=F64) * 3 + 0.2
multi_logits = torch.cat([randn(2, 4) * 3, torch.tensor([[40.0, -40.0, 0.5, -0.5]], dtype=F64)])
for r in REDUCTIONS:
    loss_case("bce", "binary_cross_entropy", [probs, bits], F.binary_cross_entropy, {}, r)
    loss_case("bce_soft_weight", "binary_cross_entropy", [probs, soft_bits, elem_weight],
              lambda x, t, w, reduction: F.binary_cross_entropy(x, t, w, reduction=reduction),
              {"weight": True}, r)
    loss_case("bce_with_logits", "binary_cross_entropy_with_logits", [multi_logits, bits],
              F.binary_cross_entropy_with_logits, {}, r)
    loss_case("bce_with_logits_weight_pos_weight", "binary_cross_entropy_with_logits",
              [multi_logits, soft_bits, elem_weight, pos_weight],
              lambda x, t, w, p, reduction: F.binary_cross_entropy_with_logits(
                  x, t, w, reduction=reduction, pos_weight=p),
              {"weight": True, "pos_weight": True}, r)
    loss_case("bce_with_logits_pos_weight", "binary_cross_entropy_with_logits",
              [multi_logits, bits, pos_weight],
              lambda x, t, p, reduction: F.binary_cross_entropy_with_logits(
                  x, t, reduction=reduction, pos_weight=p),
              {"pos_weight": True}, r)

x_reg, y_reg = randn(3, 4) * 2, randn(3, 4)
for r in REDUCTIONS:
    loss_case("mse_loss", "mse_loss", [x_reg, y_reg], F.mse_loss, {}, r)
    loss_case("l1_loss", "l1_loss", [x_reg, y_reg], F.l1_loss, {}, r)
    for delta in (1.0, 0.5):
        loss_case(f"huber_loss_delta{delta}", "huber_loss", [x_reg, y_reg],
                  lambda x, t, reduction, d=delta: F.huber_loss(x, t, reduction=reduction, delta=d),
                  {"delta": delta}, r)
    for beta in (1.0, 0.3):
        loss_case(f"smooth_l1_loss_beta{beta}", "smooth_l1_loss", [x_reg, y_reg],
                  lambda x, t, reduction, b=beta: F.smooth_l1_loss(x, t, reduction=reduction,
                                                                   beta=b),
                  {"beta": beta}, r)

svm_scores = randn(4, C) * 0.7
for r in REDUCTIONS:
    for p in (1, 2):
        loss_case(f"multi_margin_loss_p{p}", "multi_margin_loss", [svm_scores, labels],
                  lambda x, t, reduction, q=p: F.multi_margin_loss(x, t, p=q, reduction=reduction),
                  {"p": p}, r)
    loss_case("multi_margin_loss_margin_weight", "multi_margin_loss",
              [svm_scores, labels, class_weight],
              lambda x, t, w, reduction: F.multi_margin_loss(x, t, margin=0.5, weight=w,
                                                             reduction=reduction),
              {"margin": 0.5, "weight": True}, r)


if __name__ == "__main__":
    write_cases("nn.json", "tools/golden/make_nn_fixtures.py", cases)
