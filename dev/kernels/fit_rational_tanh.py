#!/usr/bin/env python3
"""Fits the coefficients of nabla's rational float32 tanh (src/backend/rational_tanh.hpp).

    tanh(x) ≈ x · P(t) / Q(t),  t = x²,  |x| clamped to C,  P(0) = Q(0) = 1

P has degree M and Q degree N in t. The fit minimises the largest *relative* error of
P/Q against tanh(x)/x on [0, C] (relative error is what float32 ulps measure), by Lawson's
iteratively reweighted least squares on the linearised problem P − f·Q (Loeb's trick of
dividing by the previous Q keeps it close to the true rational error). It then rounds each
coefficient to float32 and prints them, with the relative error of the rounded ratio on a
dense grid in double. The exhaustive float32 check of the compiled kernel is
bench/tanh_error.cpp.

Needs NumPy only:  python3 dev/kernels/fit_rational_tanh.py [M N C]   (default 5 4 9.02,
the kernel's)
"""
import sys

import numpy as np

M, N, C = (int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])) if len(sys.argv) > 3 else (5, 4, 9.02)

# Chebyshev-like clustering near both ends, where the error peaks of a minimax fit sit.
u = np.cos(np.linspace(np.pi, 0.0, 20001)) * 0.5 + 0.5
x = np.concatenate([u * C, np.linspace(1e-4, C, 20001)])
x = np.unique(x[x > 0])
f = np.tanh(x) / x
t = x * x
S = C * C  # powers of t / S keep the least-squares matrix well conditioned


def ratio(p, q, tt):
    """P(tt)/Q(tt) for coefficients of increasing powers of tt/S, p[0] = q[0] = 1."""
    s = tt / S
    return np.polyval(p[::-1], s) / np.polyval(q[::-1], s)


def fit():
    q_prev = np.ones_like(t)
    weight = np.ones_like(t)
    s = t / S
    best = None
    for _ in range(60):
        # unknowns: p1..pM, q1..qN;  P − f·Q = 0  →  Σ p_k s^k − f Σ q_k s^k = f − 1
        cols = [s**k for k in range(1, M + 1)] + [-f * s**k for k in range(1, N + 1)]
        a = np.stack(cols, axis=1) / (q_prev * f)[:, None]
        b = (f - 1.0) / (q_prev * f)
        sw = np.sqrt(weight)
        sol, *_ = np.linalg.lstsq(a * sw[:, None], b * sw, rcond=None)
        p = np.concatenate([[1.0], sol[:M]])
        q = np.concatenate([[1.0], sol[M:]])
        err = ratio(p, q, t) / f - 1.0
        worst = np.max(np.abs(err))
        if best is None or worst < best[0]:
            best = (worst, p, q)
        q_prev = np.polyval(q[::-1], s)
        weight = weight * (np.abs(err) + 1e-300)  # Lawson: weight grows where the error is large
        weight /= weight.sum()
    return best


worst, p, q = fit()
# Back to powers of t itself, then float32.
p_t = np.array([c / S**k for k, c in enumerate(p)]).astype(np.float32)
q_t = np.array([c / S**k for k, c in enumerate(q)]).astype(np.float32)
p_t[0] = q_t[0] = 1.0
dense = np.linspace(1e-6, C, 2_000_001)
approx = dense * np.polyval(p_t.astype(np.float64)[::-1], dense**2) / np.polyval(
    q_t.astype(np.float64)[::-1], dense**2)
rel = np.max(np.abs(approx / np.tanh(dense) - 1.0))
print(f"M={M} N={N} C={C}: fit max rel error {worst:.3e}; float32 coefficients {rel:.3e} "
      f"({rel / 2**-24:.2f} × 2^-24)")
print("P (increasing powers of x²):", ", ".join(f"{v:.9e}f" for v in p_t))
print("Q (increasing powers of x²):", ", ".join(f"{v:.9e}f" for v in q_t))
print(f"ratio at C: {C * np.polyval(p_t.astype(np.float64)[::-1], C * C) / np.polyval(q_t.astype(np.float64)[::-1], C * C):.12f}")
