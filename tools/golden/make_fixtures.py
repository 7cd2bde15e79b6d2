#!/usr/bin/python3
"""Writes tests/fixtures/ops_forward.json: PyTorch's float64 results for nabla's ops.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_fixtures.py

Each case names an op (the nabla function, see tests/ops/torch_fixtures_test.cpp for the
mapping), its scalar args, its inputs and PyTorch's "outputs" (one, or the (values, indices)
pair of ops that return one). Cases built with grad=True also store
"grad_output" (a fixed random tensor of the output's shape) and "grads": the gradient of
(output * grad_output).sum() with respect to each input, null for non-floating inputs.
The output is deterministic: fixed seed, one thread, sorted keys, repr-exact floats.
"""
import operator

import torch

from fixture_io import add_case, randn, write_cases  # tools/golden/fixture_io.py

F64 = torch.float64

torch.manual_seed(0)
torch.set_num_threads(1)

cases = []


def positive(*shape):
    """Values in [0.5, 1.5): safe for log, sqrt, pow and division."""
    return torch.rand(shape, dtype=F64) + 0.5


def small_ints(*shape, low=-2, high=3):
    """Integer-valued floats, so comparisons, maximum and argmax see ties."""
    return torch.randint(low, high, shape).to(F64)


def case(name, op, inputs, fn, args=None, grad=False):
    """Records fn(*inputs); with grad, every float64 input's gradient is stored too."""
    grad_inputs = tuple(i for i, x in enumerate(inputs) if x.dtype == F64) if grad else ()
    add_case(cases, name, op, inputs, fn, args, grad_inputs)


def scalar_args(scalar, left=False):
    return {"scalar": scalar, "scalar_left": left}


# --- elementwise arithmetic -------------------------------------------------------------
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
for op, fn in BINARY.items():
    rhs = positive  # keeps div away from zero; harmless for the others
    case(f"{op}_same_shape", op, [randn(2, 3), rhs(2, 3)], fn, grad=True)
    case(f"{op}_broadcast_row", op, [randn(3, 4), rhs(4)], fn, grad=True)
    case(f"{op}_broadcast_outer", op, [randn(3, 1), rhs(1, 4)], fn, grad=True)
    case(f"{op}_broadcast_0d", op, [randn(2, 3), rhs()], fn, grad=True)
    case(f"{op}_scalar_right", op, [randn(2, 3)], lambda x, f=fn: f(x, 1.75),
         scalar_args(1.75), grad=True)
    case(f"{op}_scalar_left", op, [positive(2, 3)], lambda x, f=fn: f(-2.5, x),
         scalar_args(-2.5, left=True), grad=True)

case("pow_tensor_exponent", "pow", [positive(2, 3), randn(2, 3)], torch.pow, grad=True)
case("pow_tensor_exponent_broadcast", "pow", [positive(2, 3), randn(3)], torch.pow, grad=True)
for label, exponent, base in [("square", 2.0, randn(5)), ("cube_negative_base", 3.0, randn(6)),
                              ("sqrt", 0.5, positive(5)), ("neg_fraction", -1.5, positive(2, 3)),
                              ("zero", 0.0, randn(4))]:
    case(f"pow_scalar_{label}", "pow", [base], lambda x, e=exponent: torch.pow(x, e),
         {"exponent": exponent}, grad=True)

for op, fn in [("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case(f"{op}_ties", op, [small_ints(3, 4), small_ints(3, 4)], fn, grad=True)
    case(f"{op}_broadcast", op, [randn(3, 1), randn(4)], fn, grad=True)

UNARY = {"neg": (torch.neg, randn), "exp": (torch.exp, randn), "log": (torch.log, positive),
         "sqrt": (torch.sqrt, positive), "abs": (torch.abs, randn), "relu": (torch.relu, randn),
         "sigmoid": (torch.sigmoid, randn), "tanh": (torch.tanh, randn)}
for op, (fn, make) in UNARY.items():
    case(f"{op}_2d", op, [make(2, 4)], fn, grad=True)
# Kinks at exactly 0: torch's abs and relu gradients are 0 there.
case("abs_with_zeros", "abs", [torch.tensor([-1.5, 0.0, 2.0, 0.0, -0.25], dtype=F64)], torch.abs,
     grad=True)
case("relu_with_zeros", "relu", [torch.tensor([-1.5, 0.0, 2.0, 0.0, -0.25], dtype=F64)],
     torch.relu, grad=True)
case("sigmoid_large", "sigmoid", [torch.tensor([-40.0, -5.0, 0.0, 5.0, 40.0], dtype=F64)],
     torch.sigmoid, grad=True)
case("tanh_large", "tanh", [torch.tensor([-40.0, -5.0, 0.0, 5.0, 40.0], dtype=F64)],
     torch.tanh, grad=True)
case("log_extremes", "log", [torch.tensor([1e-300, 1e-10, 1.0, 1e10, 1e300], dtype=F64)],
     torch.log, grad=True)

# clamp: values on the bounds exactly; torch passes the gradient through at the bounds.
clamp_input = torch.cat([randn(8), torch.tensor([-0.5, 0.5], dtype=F64)]).reshape(2, 5)
for label, lo, hi in [("min_only", -0.5, None), ("max_only", None, 0.5), ("both", -0.5, 0.5)]:
    args = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
    case(f"clamp_{label}", "clamp", [clamp_input], lambda x, a=lo, b=hi: torch.clamp(x, a, b),
         args, grad=True)

case("where_same_shape", "where", [randn(2, 3) > 0, randn(2, 3), randn(2, 3)], torch.where,
     grad=True)
case("where_broadcast", "where", [randn(3, 1) > 0, randn(1, 4), randn(3, 4)], torch.where,
     grad=True)

# --- comparisons ------------------------------------------------------------------------
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    fn = getattr(torch, op)
    case(f"{op}_ties", op, [small_ints(3, 4), small_ints(3, 4)], fn)
    case(f"{op}_broadcast", op, [small_ints(3, 1), small_ints(4)], fn)

# --- reductions -------------------------------------------------------------------------
x3 = randn(2, 3, 3)
for op, fn in [("sum", torch.sum), ("mean", torch.mean)]:
    case(f"{op}_all", op, [x3], fn, {"dims": []}, grad=True)
    case(f"{op}_dim1", op, [x3], lambda x, f=fn: f(x, 1), {"dims": [1]}, grad=True)
    case(f"{op}_dim_neg1_keepdim", op, [x3], lambda x, f=fn: f(x, -1, keepdim=True),
         {"dims": [-1], "keepdim": True}, grad=True)
    case(f"{op}_dims02", op, [x3], lambda x, f=fn: f(x, (0, 2)), {"dims": [0, 2]}, grad=True)
    case(f"{op}_dims02_keepdim", op, [x3], lambda x, f=fn: f(x, (0, 2), keepdim=True),
         {"dims": [0, 2], "keepdim": True}, grad=True)

for op, fn in [("var", torch.var), ("std_dev", torch.std)]:
    for corr in (0, 1):
        case(f"{op}_all_correction{corr}", op, [randn(3, 4)],
             lambda x, f=fn, c=corr: f(x, None, correction=c),
             {"dims": [], "correction": corr}, grad=True)
        case(f"{op}_dim1_correction{corr}", op, [randn(3, 5)],
             lambda x, f=fn, c=corr: f(x, 1, correction=c),
             {"dims": [1], "correction": corr}, grad=True)
        case(f"{op}_dims01_keepdim_correction{corr}", op, [x3],
             lambda x, f=fn, c=corr: f(x, (0, 1), correction=c, keepdim=True),
             {"dims": [0, 1], "correction": corr, "keepdim": True}, grad=True)

case("logsumexp_dim1", "logsumexp", [randn(3, 4)], lambda x: torch.logsumexp(x, 1),
     {"dims": [1]}, grad=True)
case("logsumexp_dims01_keepdim", "logsumexp", [x3],
     lambda x: torch.logsumexp(x, (0, 1), keepdim=True), {"dims": [0, 1], "keepdim": True},
     grad=True)
large = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0]], dtype=F64)
case("logsumexp_large_values", "logsumexp", [large], lambda x: torch.logsumexp(x, 1),
     {"dims": [1]}, grad=True)

x_ties = small_ints(3, 5)
for op in ["max", "min"]:
    fn = getattr(torch, op)
    case(f"{op}_all", op, [randn(3, 4)], fn, grad=True)
    # torch splits the gradient of a full max/min evenly among tied extrema, and sends the
    # gradient of max/min along a dim to the returned (first) index only.
    case(f"{op}_all_ties", op, [x_ties], fn, grad=True)
    case(f"{op}_dim1_ties", op, [x_ties], lambda x, f=fn: tuple(f(x, 1)), {"dim": 1}, grad=True)
    case(f"{op}_dim0_keepdim", op, [randn(3, 4)], lambda x, f=fn: tuple(f(x, 0, keepdim=True)),
         {"dim": 0, "keepdim": True}, grad=True)
for op in ["argmax", "argmin"]:
    fn = getattr(torch, op)
    case(f"{op}_flat", op, [randn(3, 4)], fn)
    case(f"{op}_flat_ties", op, [x_ties], fn)
    case(f"{op}_dim1_ties", op, [x_ties], lambda x, f=fn: f(x, 1), {"dim": 1})
    case(f"{op}_dim0_keepdim", op, [randn(3, 4)], lambda x, f=fn: f(x, 0, keepdim=True),
         {"dim": 0, "keepdim": True})

# --- matmul -----------------------------------------------------------------------------
for label, a, b in [("2d", (3, 4), (4, 2)), ("1d_2d", (4,), (4, 3)), ("2d_1d", (3, 4), (4,)),
                    ("1d_1d", (5,), (5,)), ("batched", (2, 3, 4), (4, 2)),
                    ("batched_both", (2, 2, 3), (2, 3, 2)),
                    ("broadcast_batch", (2, 1, 3, 4), (3, 4, 2)), ("1d_batched", (4,), (2, 4, 3))]:
    case(f"matmul_{label}", "matmul", [randn(*a), randn(*b)], torch.matmul, grad=True)

# --- shape ops --------------------------------------------------------------------------
x34 = randn(3, 4)
case("reshape_infer", "reshape", [x3], lambda x: x.reshape(-1, 6), {"shape": [-1, 6]}, grad=True)
case("reshape_of_transpose", "reshape", [x34.t()], lambda x: x.reshape(12), {"shape": [12]},
     grad=True)
case("transpose_2d", "transpose", [x34], lambda x: x.transpose(0, 1), {"dim0": 0, "dim1": 1},
     grad=True)
case("transpose_3d_neg", "transpose", [x3], lambda x: x.transpose(-1, 0),
     {"dim0": -1, "dim1": 0}, grad=True)
case("permute_3d", "permute", [x3], lambda x: x.permute(2, 0, 1), {"dims": [2, 0, 1]},
     grad=True)
case("slice_step2", "slice", [randn(3, 7)], lambda x: x[:, 1:6:2],
     {"dim": 1, "start": 1, "end": 6, "step": 2}, grad=True)
case("slice_dim0_step3", "slice", [randn(7, 2)], lambda x: x[0:7:3],
     {"dim": 0, "start": 0, "end": 7, "step": 3}, grad=True)
case("slice_negative_bounds", "slice", [randn(2, 6)], lambda x: x[:, -4:-1],
     {"dim": 1, "start": -4, "end": -1, "step": 1}, grad=True)
case("narrow_dim1", "narrow", [x3], lambda x: x.narrow(1, 1, 2),
     {"dim": 1, "start": 1, "length": 2}, grad=True)
case("expand_new_dims", "expand", [randn(3, 1)], lambda x: x.expand(2, 3, 4),
     {"shape": [2, 3, 4]}, grad=True)
case("expand_keep_dim", "expand", [randn(1, 4)], lambda x: x.expand(3, -1),
     {"shape": [3, -1]}, grad=True)
case("squeeze_dim", "squeeze", [randn(3, 1, 2)], lambda x: x.squeeze(1), {"dim": 1}, grad=True)
case("squeeze_non_one_dim", "squeeze", [randn(3, 2)], lambda x: x.squeeze(0), {"dim": 0})
case("unsqueeze_neg", "unsqueeze", [x34], lambda x: x.unsqueeze(-1), {"dim": -1}, grad=True)
case("unsqueeze_front", "unsqueeze", [x34], lambda x: x.unsqueeze(0), {"dim": 0})
case("flatten_all", "flatten", [x3], lambda x: x.flatten(), {"start_dim": 0, "end_dim": -1},
     grad=True)
case("flatten_middle", "flatten", [randn(2, 3, 2, 2)], lambda x: x.flatten(1, 2),
     {"start_dim": 1, "end_dim": 2}, grad=True)

case("cat_dim0", "cat", [randn(2, 3), randn(1, 3), randn(3, 3)], lambda *t: torch.cat(t, 0),
     {"dim": 0}, grad=True)
case("cat_dim1", "cat", [randn(2, 1), randn(2, 3)], lambda *t: torch.cat(t, 1), {"dim": 1},
     grad=True)
case("cat_dim_neg1", "cat", [randn(2, 2, 1), randn(2, 2, 2)], lambda *t: torch.cat(t, -1),
     {"dim": -1})
for dim in (0, 1, -1):
    case(f"stack_dim{dim}".replace("-", "neg"), "stack", [randn(2, 3), randn(2, 3), randn(2, 3)],
         lambda *t, d=dim: torch.stack(t, d), {"dim": dim}, grad=dim != -1)

repeated = torch.tensor([2, 0, 2, 1], dtype=torch.int64)
case("index_select_dim0_repeated", "index_select", [randn(3, 4), repeated],
     lambda x, i: torch.index_select(x, 0, i), {"dim": 0}, grad=True)
case("index_select_dim1", "index_select", [randn(2, 5), torch.tensor([4, 0, 4], dtype=torch.int64)],
     lambda x, i: torch.index_select(x, 1, i), {"dim": 1}, grad=True)
case("gather_dim0_repeated", "gather", [randn(3, 4), torch.randint(0, 3, (2, 4))],
     lambda x, i: torch.gather(x, 0, i), {"dim": 0}, grad=True)
case("gather_dim1_repeated", "gather", [randn(3, 4), torch.tensor([[0, 0], [3, 1], [2, 2]])],
     lambda x, i: torch.gather(x, 1, i), {"dim": 1}, grad=True)

# --- softmax family ---------------------------------------------------------------------
stable = torch.cat([randn(2, 4), torch.tensor([[1000.0, 1001.0, 999.0, 1000.0],
                                               [-1000.0, -999.0, -1001.5, -1000.0]], dtype=F64)])
for op, fn in [("softmax", torch.softmax), ("log_softmax", torch.log_softmax)]:
    for dim in (0, 1, -1):
        case(f"{op}_dim{dim}".replace("-", "neg"), op, [randn(3, 4)],
             lambda x, f=fn, d=dim: f(x, d), {"dim": dim}, grad=True)
    case(f"{op}_large_values", op, [stable], lambda x, f=fn: f(x, 1), {"dim": 1}, grad=True)
    case(f"{op}_3d_dim1", op, [x3], lambda x, f=fn: f(x, 1), {"dim": 1}, grad=True)


def main():
    write_cases("ops_forward.json", "tools/golden/make_fixtures.py", cases)


if __name__ == "__main__":
    main()
