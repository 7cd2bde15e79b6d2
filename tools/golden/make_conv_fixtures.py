#!/usr/bin/python3
"""Writes tests/fixtures/conv.json: PyTorch's float64 convolutions, poolings and norms.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_conv_fixtures.py

Same tensor encoding as make_fixtures.py. Each case names a function of nabla::nn::functional
("op"; tests/ops/conv_fixtures_test.cpp maps it), its scalar args, its inputs and PyTorch's
"outputs": the function's result first, then, for batch norm, the running_mean and running_var
after the call. "grad_output" and "grads" hold the gradient of (outputs[0] * grad_output).sum()
with respect to each input (null for inputs not differentiated, such as running statistics).
The "batch_norm_module" case runs torch.nn.BatchNorm2d for one training step per slice of its
first input (10 steps) and stores the running statistics and num_batches_tracked after them.
"""

import torch
import torch.nn.functional as F

from fixture_io import add_case, encode, randn, write_cases  # tools/golden/fixture_io.py

F64 = torch.float64

torch.manual_seed(0)
torch.set_num_threads(1)

cases = []



def case(name, op, inputs, fn, args=None, grad_inputs=(0,)):
    add_case(cases, name, op, inputs, fn, args, grad_inputs)


# --- conv2d -----------------------------------------------------------------------------
# (name, N, C_in, H, W, C_out, kernel, stride, padding, dilation, groups, bias)
CONVS = [
    ("basic", 2, 3, 7, 6, 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    ("stride2_pad1", 2, 3, 8, 7, 5, (3, 3), (2, 2), (1, 1), (1, 1), 1, True),
    ("rect_kernel_no_bias", 1, 2, 6, 9, 3, (2, 4), (1, 2), (1, 0), (1, 1), 1, False),
    ("dilation2", 2, 2, 9, 9, 3, (3, 3), (1, 1), (2, 2), (2, 2), 1, True),
    ("groups2", 2, 4, 6, 6, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2, True),
    ("depthwise", 2, 3, 6, 5, 6, (3, 3), (2, 1), (1, 1), (1, 1), 3, False),
    ("pointwise", 3, 4, 5, 5, 2, (1, 1), (1, 1), (0, 0), (1, 1), 1, True),
    ("lenet_c1", 1, 1, 32, 32, 6, (5, 5), (1, 1), (0, 0), (1, 1), 1, True),
    ("same_odd", 2, 2, 6, 7, 3, (3, 3), (1, 1), "same", (1, 1), 1, True),
    ("same_even_kernel", 1, 2, 5, 6, 2, (4, 2), (1, 1), "same", (1, 1), 1, True),
    ("same_dilated", 1, 2, 7, 7, 2, (3, 3), (1, 1), "same", (2, 1), 1, False),
    ("valid", 1, 2, 5, 5, 3, (2, 2), (1, 1), "valid", (1, 1), 1, True),
]
for (label, n, cin, h, w, cout, k, s, p, d, g, bias) in CONVS:
    inputs = [randn(n, cin, h, w), randn(cout, cin // g, *k) * 0.5]
    if bias:
        inputs.append(randn(cout))
    args = {"stride": list(s), "dilation": list(d), "groups": g, "bias": bias,
            "padding": p if isinstance(p, str) else list(p)}
    case(f"conv2d_{label}", "conv2d", inputs,
         lambda x, wt, *b, s=s, p=p, d=d, g=g: F.conv2d(x, wt, b[0] if b else None, s, p, d, g),
         args, grad_inputs=tuple(range(len(inputs))))

# --- pooling ----------------------------------------------------------------------------
# (name, shape, kernel, stride, padding, dilation, ceil_mode)
MAX_POOLS = [
    ("2x2", (2, 3, 6, 6), (2, 2), None, (0, 0), (1, 1), False),
    ("3x3_s2_pad1", (2, 2, 7, 7), (3, 3), (2, 2), (1, 1), (1, 1), False),
    ("ceil", (1, 2, 7, 6), (3, 2), (2, 2), (0, 0), (1, 1), True),
    ("ceil_pad", (1, 2, 8, 8), (3, 3), (2, 2), (1, 1), (1, 1), True),
    ("dilated", (1, 2, 9, 8), (2, 3), (1, 2), (1, 1), (2, 1), False),
    ("unbatched", (3, 5, 5), (2, 2), (1, 1), (0, 0), (1, 1), False),
]
for (label, shape, k, s, p, d, ceil) in MAX_POOLS:
    args = {"kernel_size": list(k), "padding": list(p), "dilation": list(d), "ceil_mode": ceil}
    if s is not None:
        args["stride"] = list(s)
    case(f"max_pool2d_{label}", "max_pool2d", [randn(*shape)],
         lambda x, k=k, s=s, p=p, d=d, c=ceil: F.max_pool2d(x, k, s, p, d, ceil_mode=c), args)

# (name, shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_POOLS = [
    ("2x2", (2, 3, 6, 6), (2, 2), None, (0, 0), False, True, None),
    ("pad_include", (1, 2, 7, 7), (3, 3), (2, 2), (1, 1), False, True, None),
    ("pad_exclude", (1, 2, 7, 7), (3, 3), (2, 2), (1, 1), False, False, None),
    ("ceil_include", (1, 2, 8, 7), (3, 3), (2, 2), (1, 1), True, True, None),
    ("ceil_exclude", (1, 2, 8, 7), (3, 2), (2, 2), (1, 1), True, False, None),
    ("divisor_override", (1, 2, 6, 6), (2, 3), (2, 1), (1, 1), False, True, 5),
]
for (label, shape, k, s, p, ceil, include, divisor) in AVG_POOLS:
    args = {"kernel_size": list(k), "padding": list(p), "ceil_mode": ceil,
            "count_include_pad": include}
    if s is not None:
        args["stride"] = list(s)
    if divisor is not None:
        args["divisor_override"] = divisor
    case(f"avg_pool2d_{label}", "avg_pool2d", [randn(*shape)],
         lambda x, k=k, s=s, p=p, c=ceil, i=include, dv=divisor:
         F.avg_pool2d(x, k, s, p, c, i, dv), args)

for label, shape, out in [("global", (2, 3, 5, 4), (1, 1)), ("7_to_3", (1, 2, 7, 7), (3, 3)),
                          ("grow_and_shrink", (1, 2, 5, 9), (7, 4)),
                          ("unbatched", (2, 6, 6), (4, 2))]:
    case(f"adaptive_avg_pool2d_{label}", "adaptive_avg_pool2d", [randn(*shape)],
         lambda x, o=out: F.adaptive_avg_pool2d(x, o), {"output_size": list(out)})

# --- normalisation ----------------------------------------------------------------------
for label, shape in [("2d", (6, 3)), ("4d", (4, 3, 5, 4))]:
    c = shape[1]
    stats = [randn(c) * 0.1, torch.rand(c, dtype=F64) + 0.5]
    affine = [torch.rand(c, dtype=F64) + 0.5, randn(c)]
    for training in (True, False):
        mode = "train" if training else "eval"
        case(f"batch_norm_{label}_{mode}", "batch_norm", [randn(*shape) * 2 + 1] + stats + affine,
             lambda x, rm, rv, w, b, t=training: (
                 F.batch_norm(x, rm, rv, w, b, t, 0.2, 1e-5), rm, rv),
             {"training": training, "momentum": 0.2, "eps": 1e-5}, grad_inputs=(0, 3, 4))

# BatchNorm2d module: running statistics after 10 training steps on fixed inputs.
bn = torch.nn.BatchNorm2d(3, momentum=0.3).double()
steps = randn(10, 4, 3, 3, 3) * 1.5 + 0.5
for step in steps:
    bn(step)
cases.append({"name": "batch_norm_module_10_steps", "op": "batch_norm_module",
              "args": {"momentum": 0.3}, "inputs": [encode(steps)],
              "outputs": [encode(bn.running_mean), encode(bn.running_var),
                          encode(bn.num_batches_tracked)]})

x = randn(3, 4, 5)
case("layer_norm_last_dim", "layer_norm", [x, torch.rand(5, dtype=F64) + 0.5, randn(5)],
     lambda x, w, b: F.layer_norm(x, (5,), w, b, 1e-5), {"normalized_shape": [5], "eps": 1e-5},
     grad_inputs=(0, 1, 2))
x = randn(2, 3, 4, 5)
case("layer_norm_last_two_dims", "layer_norm", [x, torch.rand(4, 5, dtype=F64) + 0.5, randn(4, 5)],
     lambda x, w, b: F.layer_norm(x, (4, 5), w, b, 1e-3), {"normalized_shape": [4, 5], "eps": 1e-3},
     grad_inputs=(0, 1, 2))
case("layer_norm_no_affine", "layer_norm", [randn(4, 6)],
     lambda x: F.layer_norm(x, (6,)), {"normalized_shape": [6], "eps": 1e-5})

x = randn(2, 6, 3, 4)
case("group_norm_3_groups", "group_norm", [x, torch.rand(6, dtype=F64) + 0.5, randn(6)],
     lambda x, w, b: F.group_norm(x, 3, w, b, 1e-5), {"num_groups": 3, "eps": 1e-5},
     grad_inputs=(0, 1, 2))
case("group_norm_1_group_no_affine", "group_norm", [randn(3, 4, 5)],
     lambda x: F.group_norm(x, 1), {"num_groups": 1, "eps": 1e-5})

x = randn(2, 3, 4, 5)
case("instance_norm_affine", "instance_norm", [x, torch.rand(3, dtype=F64) + 0.5, randn(3)],
     lambda x, w, b: F.instance_norm(x, weight=w, bias=b), {"eps": 1e-5}, grad_inputs=(0, 1, 2))
rm0, rv0 = randn(3) * 0.1, torch.rand(3, dtype=F64) + 0.5
case("instance_norm_running_stats", "instance_norm", [randn(2, 3, 4, 4), rm0, rv0],
     lambda x, rm, rv: (F.instance_norm(x, rm, rv, momentum=0.1), rm, rv),
     {"eps": 1e-5, "momentum": 0.1, "running": True})

for label, shape, size in [("size5", (2, 7, 3, 3), 5), ("size2_3d", (2, 4, 5), 2),
                           ("size4", (1, 6, 2, 3), 4)]:
    case(f"local_response_norm_{label}", "local_response_norm", [randn(*shape) * 3],
         lambda x, n=size: F.local_response_norm(x, n, alpha=0.1, beta=0.75, k=2.0),
         {"size": size, "alpha": 0.1, "beta": 0.75, "k": 2.0})


def main():
    write_cases("conv.json", "tools/golden/make_conv_fixtures.py", cases)


if __name__ == "__main__":
    main()
