#!/usr/bin/env python3
"""Does k-fold cross-validation pick the number of hidden units better than one validation split?

For each seed (a new draw of the noisy three-spirals data and new initial weights) this runs
examples/tune_hidden_folds.toml twice with `nabla tune`: once on one validation split
(tune.folds = 0) and once with 5-fold cross-validation. Each search tries every hidden size.
The single-split search's trials are the models of each size trained on the training split;
`nabla eval` measures them on the 2,700-point test split, which neither search saw. The best
of them by test accuracy is the oracle's pick. Each search's pick is scored by the test
accuracy of that size's model, so both are judged on the same models.

    python3 tools/experiments/cv_hidden_units.py --nabla build/release/tools/nabla/nabla \\
        --seeds 20 --work /tmp/cv_hidden

Prints one line per seed and a summary: how often each method picks the oracle's size, and
the mean test accuracy of its picks. Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

CONFIG = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "tune_hidden_folds.toml")
KEY = "model.hidden[0]"


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def search(nabla, seed, folds, out):
    shutil.rmtree(out, ignore_errors=True)
    run([nabla, "tune", CONFIG, "--set", f"train.seed={seed}", "--set", f"tune.folds={folds}",
         "--out", out])
    trials = {}
    with open(os.path.join(out, "trials.jsonl")) as ledger:
        for line in ledger:
            record = json.loads(line)
            if record["status"] == "ok":
                trials[record["id"]] = (int(record["params"][KEY]), record["metric"])
    return trials


def pick(trials):
    """The size of the best trial by validation accuracy (the lowest id among equals, as nabla)."""
    best = max(sorted(trials), key=lambda i: trials[i][1])
    return trials[best][0]


def test_accuracy(nabla, run_dir):
    text = run([nabla, "eval", run_dir])
    return float(re.search(r"test accuracy: ([0-9.]+)%", text).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nabla", default="nabla")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--work", default="/tmp/cv_hidden")
    args = parser.parse_args()
    rows = []
    for seed in range(1, args.seeds + 1):
        work = os.path.join(args.work, f"seed{seed}")
        single = search(args.nabla, seed, 0, os.path.join(work, "single"))
        folds = search(args.nabla, seed, 5, os.path.join(work, "kfold"))
        test = {}
        for trial, (size, _) in single.items():
            test[size] = test_accuracy(args.nabla, os.path.join(work, "single", "trials", f"{trial:04d}"))
        oracle = max(sorted(test), key=lambda size: test[size])
        rows.append((seed, oracle, pick(single), pick(folds), test))
        print(f"seed {seed:2d}: test accuracy by size {dict(sorted(test.items()))}; oracle {oracle}, "
              f"one split picks {pick(single)}, 5-fold picks {pick(folds)}", flush=True)
    for name, column in (("one split", 2), ("5-fold", 3)):
        hits = sum(row[column] == row[1] for row in rows)
        scores = [row[4][row[column]] for row in rows]
        regret = [row[4][row[1]] - row[4][row[column]] for row in rows]
        print(f"{name:9s}: picks the oracle's size {hits}/{len(rows)}; test accuracy of its picks "
              f"{statistics.mean(scores):.2f}% (mean), {statistics.mean(regret):.2f} points below "
              f"the oracle on average")


if __name__ == "__main__":
    main()
