"""Writes tests/fixtures/preprocess.json: the statistics and outputs of every preprocessing
step (src/data/preprocess*.cpp), computed with NumPy in float64 the way the notes write them
(CS231n: X -= np.mean(X, axis=0); X /= np.std(X, axis=0); cov = np.dot(X.T, X) / X.shape[0];
U, S = eigen-decomposition; Xrot = np.dot(X, U); Xwhite = Xrot / np.sqrt(S + 1e-5)).

Each case fits its steps on inputs[0] (train) and applies them to inputs[0] and inputs[1]
(another split); outputs are the statistics named in args["stats"], in that order, then the
two applied outputs. Inputs are float32-representable, and between steps the data is rounded
to float32, as nabla runs its steps on float32 data. Principal axes are sorted by descending
eigenvalue and signed so their largest-magnitude component is positive, as nabla does.

Only NumPy computes; torch (through fixture_io) just encodes the arrays.
"""
import numpy as np
import torch

from fixture_io import encode, write_cases

RNG = np.random.default_rng(20240601)
TINY = 1e-8


def float32_data(shape, scale=1.0, offset=0.0):
    return (RNG.standard_normal(shape) * scale + offset).astype(np.float32).astype(np.float64)


def correlated(rows, cols):
    """Rows of correlated features with distinct spreads, so the principal axes are distinct."""
    mixing = RNG.standard_normal((cols, cols)) * np.linspace(2.0, 0.3, cols)[:, None]
    data = RNG.standard_normal((rows, cols)) @ mixing + RNG.standard_normal(cols) * 2
    return data.astype(np.float32).astype(np.float64)


def group_axes(x, mode):
    """The axes a statistic reduces over and a reshape that broadcasts it back."""
    if mode == "per_feature":
        return (0,), lambda s: s
    if mode == "global":
        return tuple(range(x.ndim)), lambda s: s.reshape((1,) * x.ndim)
    axes = (0,) + tuple(range(2, x.ndim))
    return axes, lambda s: s.reshape((1, -1) + (1,) * (x.ndim - 2))


def stat_shape(stat, mode):
    return stat.reshape(1) if mode == "global" else stat


def eigen(cov):
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    for i in range(vectors.shape[1]):
        if vectors[np.argmax(np.abs(vectors[:, i])), i] < 0:
            vectors[:, i] = -vectors[:, i]
    return np.maximum(values, 0.0), vectors


def fit_step(step, x):
    """Returns ({name: statistic}, apply) for one step fitted on x."""
    kind, mode = step["kind"], step.get("mode", "per_feature")
    if kind in ("center", "standardize", "scale"):
        axes, back = group_axes(x, mode)
        if kind == "scale":
            lo, hi = x.min(axis=axes), x.max(axis=axes)
            half = (hi - lo) / 2
            half_used = np.where(half < TINY, 1.0, half)
            stats = {"min": stat_shape(lo, mode), "max": stat_shape(hi, mode)}
            return stats, lambda z: (z - back((hi + lo) / 2)) / back(half_used)
        mean = x.mean(axis=axes)
        stats = {"mean": stat_shape(mean, mode)}
        if kind == "center":
            return stats, lambda z: z - back(mean)
        std = x.std(axis=axes)
        stats["std"] = stat_shape(std, mode)
        std_used = np.where(std < TINY, 1.0, std)
        return stats, lambda z: (z - back(mean)) / back(std_used)
    flat = x.reshape(x.shape[0], -1)
    mean = flat.mean(axis=0)
    centred = flat - mean
    values, vectors = eigen(np.dot(centred.T, centred) / centred.shape[0])
    k = step.get("components", 0) or flat.shape[1]
    u, s = vectors[:, :k], values[:k]
    stats = {"mean": mean, "components": u.T.copy(), "eigenvalues": s}
    eps = step.get("epsilon", 1e-5)

    def apply(z):
        rot = np.dot(z.reshape(z.shape[0], -1) - mean, u)
        if kind == "pca":
            return rot
        white = rot / np.sqrt(s + eps)
        if kind == "pca_whiten":
            return white
        return np.dot(white, u.T).reshape(z.shape)
    return stats, apply


def make_case(name, steps, train, other):
    stats, names = [], []
    x, y = train, other
    for i, step in enumerate(steps):
        fitted, apply = fit_step(step, x)
        for key, value in fitted.items():
            names.append(f"{i}.{key}")
            stats.append(value)
        x, y = apply(x), apply(y)
        if i + 1 < len(steps):  # nabla hands float32 data from step to step
            x, y = x.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64)
    outputs = stats + [x, y]
    return {"name": name, "op": "preprocess", "args": {"steps": steps, "stats": names},
            "inputs": [encode(torch.from_numpy(train)), encode(torch.from_numpy(other))],
            "outputs": [encode(torch.from_numpy(np.ascontiguousarray(o))) for o in outputs]}


def main():
    channel_offsets = np.array([0.5, -2.0])[None, :, None, None]
    channel_scales = np.array([0.25, 3.0])[None, :, None, None]
    images = (correlated(45, 18).reshape(45, 2, 3, 3) * channel_scales + channel_offsets)
    images = images.astype(np.float32).astype(np.float64)
    img_train, img_other = images[:40], images[40:]
    table = correlated(58, 6)
    tab_train, tab_other = table[:50], table[50:]

    cases = []
    for kind in ("center", "standardize", "scale"):
        for mode in ("per_feature", "global", "per_channel"):
            cases.append(make_case(f"images_{kind}_{mode}", [{"kind": kind, "mode": mode}],
                                   img_train, img_other))
        for mode in ("per_feature", "global"):
            cases.append(make_case(f"table_{kind}_{mode}", [{"kind": kind, "mode": mode}],
                                   tab_train, tab_other))
    for data, train, other in (("images", img_train, img_other), ("table", tab_train, tab_other)):
        cases.append(make_case(f"{data}_pca_3", [{"kind": "pca", "components": 3}], train, other))
        cases.append(make_case(f"{data}_pca_all", [{"kind": "pca"}], train, other))
        cases.append(make_case(f"{data}_pca_whiten_3",
                               [{"kind": "pca_whiten", "components": 3, "epsilon": 1e-5}],
                               train, other))
        cases.append(make_case(f"{data}_zca_whiten", [{"kind": "zca_whiten", "epsilon": 1e-5}],
                               train, other))
    cases.append(make_case("images_standardize_then_zca",
                           [{"kind": "standardize", "mode": "per_channel"},
                            {"kind": "zca_whiten", "epsilon": 1e-5}], img_train, img_other))
    cases.append(make_case("table_center_then_pca_whiten",
                           [{"kind": "center", "mode": "global"},
                            {"kind": "pca_whiten", "components": 4, "epsilon": 0.1}],
                           tab_train, tab_other))
    write_cases("preprocess.json", "tools/golden/make_preprocess_fixtures.py", cases)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
