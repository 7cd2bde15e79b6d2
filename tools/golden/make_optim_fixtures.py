#!/usr/bin/python3
"""Writes tests/fixtures/optim.json and tests/fixtures/schedules.json from PyTorch 1.13.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_optim_fixtures.py

optim.json: each case trains a fixed float64 linear regression (w: [2, 3], b: [2]; loss =
mean((X @ w.T + b - Y)^2)) for 20 steps with one optimizer configuration. "op" names the
optimizer, "args" holds its defaults ("options", torch's names, Adam's betas split into
beta1/beta2) and "groups" (which of the two parameters each group holds and its overrides).
"inputs" are [w0, b0, X, Y]; "outputs" are [w_1, b_1, w_2, b_2, ..., w_20, b_20], the
parameters after each step. L-BFGS cases minimise the 2-D Rosenbrock function from "inputs"
[x0] instead; "outputs" are x after each call of step(closure).

schedules.json: each case steps a scheduler bound to SGD (or Adam) with two groups (lr 0.1
and 0.05) "steps" times; "outputs" is [lrs] of shape [steps + 1, groups] (the lr before the
first step, then after each scheduler.step()), and for momentum-cycling schedules also
[momentums] of the same shape. ReduceLROnPlateau reads its metrics from "inputs" [metrics].
Deterministic: fixed seed, one thread, sorted keys, repr-exact floats.
"""
import json
import math
import os

import torch

F64 = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures")
STEPS = 20

torch.manual_seed(0)
torch.set_num_threads(1)


def encode(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": "float64",
            "data": [float(v) for v in t.reshape(-1).tolist()]}


X = torch.randn(8, 3, dtype=F64)
Y = torch.randn(8, 2, dtype=F64)
W0 = torch.randn(2, 3, dtype=F64)
B0 = torch.randn(2, dtype=F64)


def to_torch_options(options):
    """nabla's flat options (beta1, beta2) as torch's keyword arguments (betas)."""
    out = dict(options)
    if "beta1" in out or "beta2" in out:
        out["betas"] = (out.pop("beta1", 0.9), out.pop("beta2", 0.999))
    for key in ("nesterov", "amsgrad", "centered", "maximize"):
        if key in out:
            out[key] = bool(out[key])
    return out


def optimizer_case(name, cls, options, groups=None):
    w = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    params = [w, b]
    if groups is None:
        groups = [{"params": [0, 1], "options": {}}]
    torch_groups = [dict(params=[params[i] for i in g["params"]], **to_torch_options(g["options"]))
                    for g in groups]
    opt = cls(torch_groups, **to_torch_options(options))
    outputs = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((X @ w.T + b - Y) ** 2).mean()
        loss.backward()
        opt.step()
        outputs += [encode(w), encode(b)]
    return {"name": name, "op": cls.__name__, "args": {"options": options, "groups": groups},
            "inputs": [encode(W0), encode(B0), encode(X), encode(Y)], "outputs": outputs}


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def lbfgs_case(name, options, calls):
    x0 = torch.tensor([-1.5, 2.0], dtype=F64)
    x = x0.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], **options)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    outputs = []
    for _ in range(calls):
        opt.step(closure)
        outputs.append(encode(x))
    return {"name": name, "op": "LBFGS", "args": {"options": options, "calls": calls},
            "inputs": [encode(x0)], "outputs": outputs}


def optimizer_cases():
    O = torch.optim
    two_groups = [{"params": [0], "options": {}}, {"params": [1], "options": {"lr": 0.01}}]
    return [
        optimizer_case("sgd_plain", O.SGD, {"lr": 0.05}),
        optimizer_case("sgd_momentum", O.SGD, {"lr": 0.05, "momentum": 0.9}),
        optimizer_case("sgd_momentum_dampening_wd", O.SGD,
                       {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}),
        optimizer_case("sgd_nesterov", O.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": 1}),
        optimizer_case("sgd_maximize_negated", O.SGD, {"lr": 0.01, "maximize": 1}),
        optimizer_case("sgd_two_groups", O.SGD, {"lr": 0.1, "momentum": 0.5}, two_groups),
        optimizer_case("adagrad_default", O.Adagrad, {"lr": 0.1}),
        optimizer_case("adagrad_decay_wd_init", O.Adagrad,
                       {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.01,
                        "initial_accumulator_value": 0.2}),
        optimizer_case("adadelta_default", O.Adadelta, {}),
        optimizer_case("adadelta_rho_wd", O.Adadelta, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1}),
        optimizer_case("rmsprop_default", O.RMSprop, {"lr": 0.01}),
        optimizer_case("rmsprop_centered_momentum_wd", O.RMSprop,
                       {"lr": 0.01, "alpha": 0.9, "momentum": 0.7, "centered": 1,
                        "weight_decay": 0.05}),
        optimizer_case("rmsprop_centered", O.RMSprop, {"lr": 0.005, "centered": 1}),
        optimizer_case("adam_default", O.Adam, {"lr": 0.05}),
        optimizer_case("adam_amsgrad_wd_betas", O.Adam,
                       {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "amsgrad": 1,
                        "weight_decay": 0.1, "eps": 1e-6}),
        optimizer_case("adam_two_groups", O.Adam, {"lr": 0.05}, two_groups),
        optimizer_case("adamw_default", O.AdamW, {"lr": 0.05}),
        optimizer_case("adamw_amsgrad", O.AdamW, {"lr": 0.05, "weight_decay": 0.3, "amsgrad": 1}),
        lbfgs_case("lbfgs_plain", {"lr": 0.25, "max_iter": 15}, 3),
        lbfgs_case("lbfgs_strong_wolfe", {"lr": 1, "max_iter": 20,
                                          "line_search_fn": "strong_wolfe"}, 3),
        lbfgs_case("lbfgs_small_history", {"lr": 0.5, "max_iter": 10, "history_size": 3,
                                           "line_search_fn": "strong_wolfe"}, 4),
    ]


def schedule_case(name, make, args, steps=40, adam=False, metrics=None):
    a = torch.zeros(2, dtype=F64, requires_grad=True)
    b = torch.zeros(2, dtype=F64, requires_grad=True)
    groups = [{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.05}]
    opt = torch.optim.Adam(groups) if adam else torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    sched = make(opt)
    key = "betas" if adam else "momentum"

    def momentum_row():
        return [g[key][0] if adam else g[key] for g in opt.param_groups]

    lrs, momenta = [[g["lr"] for g in opt.param_groups]], [momentum_row()]
    for i in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append(momentum_row())
    entry = {"name": name, "op": name.split(":")[0], "args": dict(args, steps=steps, adam=adam),
             "inputs": [], "outputs": [encode(torch.tensor(lrs, dtype=F64))]}
    if metrics is not None:
        entry["inputs"] = [encode(torch.tensor(metrics, dtype=F64))]
    if args.get("cycle_momentum"):
        entry["outputs"].append(encode(torch.tensor(momenta, dtype=F64)))
    return entry


def schedule_cases():
    S = torch.optim.lr_scheduler
    plateau = [1.0 - 0.1 * i for i in range(5)] + [0.6] * 14 + [0.59999] * 6 + [0.3] * 15
    plateau_max = [0.1 * i for i in range(5)] + [0.4] * 35
    cases = [
        schedule_case("ConstantLR", lambda o: S.ConstantLR(o, factor=0.5, total_iters=4),
                      {"factor": 0.5, "total_iters": 4}),
        schedule_case("StepLR", lambda o: S.StepLR(o, step_size=7, gamma=0.5),
                      {"step_size": 7, "gamma": 0.5}),
        schedule_case("MultiStepLR", lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
                      {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
        schedule_case("ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.95), {"gamma": 0.95}),
        schedule_case("LinearLR", lambda o: S.LinearLR(o), {}),
        schedule_case("LinearLR:custom", lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.6,
                                                             total_iters=12),
                      {"start_factor": 0.1, "end_factor": 0.6, "total_iters": 12}),
        schedule_case("CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
                      {"T_max": 10, "eta_min": 0.001}, steps=50),
        schedule_case("CosineAnnealingWarmRestarts",
                      lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01),
                      {"T_0": 5, "T_mult": 2, "eta_min": 0.01}, steps=50),
        schedule_case("CyclicLR", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                       cycle_momentum=False),
                      {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular"}),
        schedule_case("CyclicLR:triangular2", lambda o: S.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2",
            cycle_momentum=True),
            {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5,
             "mode": "triangular2", "cycle_momentum": True}),
        schedule_case("CyclicLR:exp_range", lambda o: S.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.97,
            cycle_momentum=False),
            {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range",
             "gamma": 0.97}),
        schedule_case("OneCycleLR", lambda o: S.OneCycleLR(o, max_lr=[0.2, 0.1], total_steps=40),
                      {"max_lr": [0.2, 0.1], "total_steps": 40, "cycle_momentum": True}),
        schedule_case("OneCycleLR:linear_adam", lambda o: S.OneCycleLR(
            o, max_lr=0.3, total_steps=45, pct_start=0.25, anneal_strategy="linear",
            div_factor=10.0, final_div_factor=100.0),
            {"max_lr": [0.3, 0.3], "total_steps": 45, "pct_start": 0.25,
             "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0,
             "cycle_momentum": True}, adam=True),
        schedule_case("SequentialLR", lambda o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.25, total_iters=5), S.CosineAnnealingLR(o, T_max=20)],
            milestones=[5]),
            {"warmup_start_factor": 0.25, "warmup_iters": 5, "T_max": 20}),
        schedule_case("ReduceLROnPlateau", lambda o: S.ReduceLROnPlateau(o, patience=3, cooldown=2,
                                                                         min_lr=0.002),
                      {"mode": "min", "patience": 3, "cooldown": 2, "min_lr": 0.002,
                       "threshold_mode": "rel"}, metrics=plateau),
        schedule_case("ReduceLROnPlateau:max_abs", lambda o: S.ReduceLROnPlateau(
            o, mode="max", factor=0.5, patience=2, threshold=0.01, threshold_mode="abs"),
            {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.01,
             "threshold_mode": "abs"}, metrics=plateau_max),
    ]
    return cases


def write(file_name, cases):
    doc = {"generator": "tools/golden/make_optim_fixtures.py", "torch_version": torch.__version__,
           "cases": cases}
    path = os.path.join(FIXTURES, file_name)
    with open(path, "w") as out:
        json.dump(doc, out, sort_keys=True, indent=None, separators=(",", ":"))
        out.write("\n")
    print(f"wrote {os.path.relpath(path)}: {len(cases)} cases")


if __name__ == "__main__":
    write("optim.json", optimizer_cases())
    write("schedules.json", schedule_cases())
