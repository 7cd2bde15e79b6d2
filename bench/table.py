"""Turns the rounds bench/run.sh collected into one Markdown table.

    python3 bench/table.py DIR     # DIR holds nabla_<round>.json, train_<round>.json and
                                   # torch_<round>.tsv (either JSON set may be absent)

Each round's nabla value is Google Benchmark's median over its repetitions; each torch value is
the twin's median segment. The table shows the median over rounds, the ratios of those medians,
and below it the spread: every round's value, so a disturbed round is visible, not hidden.
"""
import glob
import json
import os
import statistics
import sys

# table row -> (nabla benchmark, baseline benchmark, Google Benchmark counter)
ROWS = {
    "matmul 256": ("BM_nabla_matmul/256", "BM_openblas_sgemm/256", "FLOP/s"),
    "matmul 512": ("BM_nabla_matmul/512", "BM_openblas_sgemm/512", "FLOP/s"),
    "matmul 1024": ("BM_nabla_matmul/1024", "BM_openblas_sgemm/1024", "FLOP/s"),
    "add 1M f32": ("BM_nabla_add", "BM_memcpy", "bytes_per_second"),
}
UNIT = {"FLOP/s": "GFLOP/s", "bytes_per_second": "GB/s"}
# training table row -> nabla benchmark (counter samples/s)
TRAIN_ROWS = {"train mlp": "BM_train_mlp", "train lenet5": "BM_train_lenet5",
              "train cnn_bn": "BM_train_cnn_bn",
              **{f"infer {m} b{b}": f"BM_infer_{m}_b{b}"
                 for b in (256, 1) for m in ("mlp", "lenet5", "cnn_bn")}}
ADD_BYTES, MEMCPY_BYTES = 12, 8  # MB moved per call: add 2 reads + 1 write, memcpy 1 + 1


def nabla_medians(path):
    """benchmark name (without /real_time) -> {counter: value} of its median aggregate."""
    with open(path) as f:
        report = json.load(f)
    out = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"].removesuffix("/real_time")] = b
    return out


def torch_values(path):
    with open(path) as f:
        return {name: float(value) for name, value, _ in (l.rstrip("\n").split("\t") for l in f)}


def load_rounds(folder, prefix):
    rounds = []
    for path in sorted(glob.glob(os.path.join(folder, f"{prefix}_*.json"))):
        r = path.rsplit("_", 1)[1].removesuffix(".json")
        rounds.append((nabla_medians(path), torch_values(os.path.join(folder, f"torch_{r}.tsv"))))
    return rounds


def spread_line(row, cols):
    parts = [f"{k} " + "/".join(f"{v:.1f}" for v in vals) for k, vals in cols.items()]
    spread = max((max(v) - min(v)) / statistics.median(v) for v in cols.values())
    return f"- {row}: " + "; ".join(parts) + f" (widest spread {100 * spread:.0f}%)"


def train_table(rounds):
    print("| model (train: one step at batch 64; infer: forward at batch b) | nabla (samples/s) "
          "| PyTorch (samples/s) | nabla/PyTorch |")
    print("| --- | ---: | ---: | ---: |")
    data = {}
    for row, name in TRAIN_ROWS.items():
        data[row] = {"nabla": [n[name]["samples/s"] for n, _ in rounds],
                     "torch": [t[row] for _, t in rounds]}
        m = {k: statistics.median(v) for k, v in data[row].items()}
        print(f"| {row} | {m['nabla']:.0f} | {m['torch']:.0f} "
              f"| {m['nabla'] / m['torch']:.2f} |")
    print(f"\nspread over {len(rounds)} rounds (each round's value; median in the table):")
    for row, cols in data.items():
        print(spread_line(row, cols))


def series(rounds):
    """row -> {"nabla": [per round], "baseline": [...], "torch": [...]}, in G units."""
    out = {}
    for row, (ours, base, counter) in ROWS.items():
        out[row] = {
            "nabla": [n[ours][counter] / 1e9 for n, _ in rounds],
            "baseline": [n[base][counter] / 1e9 for n, _ in rounds],
            "torch": [t[row] / 1e9 for _, t in rounds],
        }
    return out


def main():
    tensor_rounds = load_rounds(sys.argv[1], "nabla")
    train_rounds = load_rounds(sys.argv[1], "train")
    hsoftmax_rounds = load_rounds(sys.argv[1], "hsoftmax")
    if hsoftmax_rounds:
        hsoftmax_table(hsoftmax_rounds)
        return
    if not tensor_rounds and not train_rounds:
        sys.exit(f"table.py: no nabla_*.json, train_*.json or hsoftmax_*.json in {sys.argv[1]}")
    if tensor_rounds:
        tensor_table(tensor_rounds)
    if train_rounds:
        if tensor_rounds:
            print()
        train_table(train_rounds)


def hsoftmax_table(rounds):
    """Full against hierarchical softmax, one training step at batch 256, samples/s."""
    print("| classes | nabla softmax | nabla hsoftmax | PyTorch softmax | PyTorch hsoftmax "
          "| nabla hsoftmax/softmax | nabla/PyTorch softmax | nabla/PyTorch hsoftmax |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    data = {}
    for c in (1000, 10000, 100000):
        cols = {"nabla softmax": [n[f"BM_step_softmax/{c}"]["samples/s"] for n, _ in rounds],
                "nabla hsoftmax": [n[f"BM_step_hsoftmax/{c}"]["samples/s"] for n, _ in rounds],
                "torch softmax": [t[f"softmax {c}"] for _, t in rounds],
                "torch hsoftmax": [t[f"hsoftmax {c}"] for _, t in rounds]}
        data[f"{c} classes"] = cols
        m = {k: statistics.median(v) for k, v in cols.items()}
        print(f"| {c:,} | {m['nabla softmax']:.0f} | {m['nabla hsoftmax']:.0f} "
              f"| {m['torch softmax']:.0f} | {m['torch hsoftmax']:.0f} "
              f"| {m['nabla hsoftmax'] / m['nabla softmax']:.1f} "
              f"| {m['nabla softmax'] / m['torch softmax']:.2f} "
              f"| {m['nabla hsoftmax'] / m['torch hsoftmax']:.2f} |")
    print(f"\nspread over {len(rounds)} rounds (each round's value; median in the table):")
    for row, cols in data.items():
        print(spread_line(row, cols))


def tensor_table(rounds):
    data = series(rounds)
    med = {row: {k: statistics.median(v) for k, v in cols.items()} for row, cols in data.items()}
    print("| row | nabla | OpenBLAS / memcpy | PyTorch | nabla/baseline | nabla/PyTorch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row, (_, _, counter) in ROWS.items():
        m = med[row]
        unit = UNIT[counter]
        print(f"| {row} ({unit}) | {m['nabla']:.1f} | {m['baseline']:.1f} | {m['torch']:.1f} "
              f"| {m['nabla'] / m['baseline']:.2f} | {m['nabla'] / m['torch']:.2f} |")

    add = med["add 1M f32"]
    bw = add["nabla"] / add["baseline"]
    print(f"\nadd vs memcpy: bandwidth ratio {bw:.2f} counting all traffic (add moves "
          f"{ADD_BYTES} MB, memcpy {MEMCPY_BYTES} MB); time ratio t(memcpy)/t(add) = "
          f"{bw * MEMCPY_BYTES / ADD_BYTES:.2f} (the same ratio counting 4 MB written each).")
    threaded = statistics.median(n["BM_memcpy_threads"]["bytes_per_second"] / 1e9 for n, _ in rounds)
    print(f"reference: memcpy split over the OpenMP threads {threaded:.1f} GB/s "
          f"(nabla add / that = {add['nabla'] / threaded:.2f}).")

    print(f"\nspread over {len(rounds)} rounds (each round's value; median in the table):")
    for row, cols in data.items():
        print(spread_line(row, cols))
    if "BM_nabla_tanh" in rounds[0][0]:
        print()
        tanh_table(rounds)


def tanh_table(rounds):
    """nabla's exact and rational float32 tanh against torch.tanh, M elements/s."""
    cols = {"exact": [n["BM_nabla_tanh"]["items_per_second"] / 1e6 for n, _ in rounds],
            "rational": [n["BM_nabla_tanh_rational"]["items_per_second"] / 1e6 for n, _ in rounds],
            "torch": [t["tanh 1M f32"] / 1e6 for _, t in rounds]}
    m = {k: statistics.median(v) for k, v in cols.items()}
    print("| tanh 1M f32 (M elements/s) | nabla exact | nabla rational | PyTorch | rational/exact "
          "| rational/PyTorch | exact/PyTorch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| median of {len(rounds)} rounds | {m['exact']:.0f} | {m['rational']:.0f} "
          f"| {m['torch']:.0f} "
          f"| {m['rational'] / m['exact']:.2f} | {m['rational'] / m['torch']:.2f} "
          f"| {m['exact'] / m['torch']:.2f} |")
    print(spread_line("tanh", cols))


if __name__ == "__main__":
    main()
