#!/usr/bin/env python3
"""TensorBoard's own reader (EventAccumulator) on the event files of real `nabla train` runs.

usage: tensorboard_check.py NABLA_BINARY examples/spiral.toml

A 3-epoch spiral run with train.tensorboard = true must give the scalars of metrics.jsonl (same
steps, same values to float32) and one weight histogram per parameter per epoch. A run killed
after a checkpoint and resumed must read back with every step once: the resumed file's
SessionLog START purges what the killed run logged after its checkpoint.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from tensorboard.backend.event_processing import event_accumulator


def accumulate(run_dir):
    acc = event_accumulator.EventAccumulator(
        os.path.join(run_dir, "tensorboard"),
        size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    return acc


def rows(run_dir, kind):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [r for r in map(json.loads, f) if r["type"] == kind]


def check(condition, message):
    if not condition:
        sys.exit("tensorboard_check: FAILED: " + message)


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def fresh_run(nabla, config, tmp):
    run_dir = os.path.join(tmp, "fresh")
    subprocess.run([nabla, "train", config, "--out", run_dir, "--set", "train.epochs=3",
                    "--set", "train.tensorboard=true", "--set", "train.log_every=5"],
                   check=True, stdout=subprocess.DEVNULL)
    acc = accumulate(run_dir)
    tags = acc.Tags()
    for tag in ["step/loss", "step/lr", "epoch/train_loss", "epoch/train_accuracy",
                "epoch/val_loss", "epoch/val_accuracy", "epoch/lr", "update_ratio/0.weight"]:
        check(tag in tags["scalars"], f"scalar {tag} missing; have {tags['scalars']}")
    epochs = rows(run_dir, "epoch")
    got = acc.Scalars("epoch/train_loss")
    check([e.step for e in got] == [r["step"] for r in epochs],
          f"epoch steps {[e.step for e in got]} != metrics.jsonl's")
    check(all(close(e.value, r["train_loss"]) for e, r in zip(got, epochs)), "train_loss differs")
    steps = rows(run_dir, "step")
    got = acc.Scalars("step/loss")
    check([e.step for e in got] == [r["step"] for r in steps], "step/loss steps differ")
    check(all(close(e.value, r["loss"]) for e, r in zip(got, steps)), "step/loss values differ")
    check("weights/0.weight" in tags["histograms"], f"no weight histogram: {tags['histograms']}")
    histograms = acc.Histograms("weights/0.weight")
    check(len(histograms) == 3, f"{len(histograms)} histograms of 0.weight, want one per epoch")
    h = histograms[-1].histogram_value
    check(h.num == 128 and sum(h.bucket) == 128, f"0.weight [64, 2]: num {h.num}, {sum(h.bucket)}")
    check(h.min <= h.max and len(h.bucket_limit) == len(h.bucket), "histogram malformed")


def killed_and_resumed(nabla, config, tmp):
    run_dir = os.path.join(tmp, "killed")
    args = [nabla, "train", config, "--out", run_dir, "--set", "train.tensorboard=true",
            "--set", "train.log_every=1", "--set", "train.checkpoint_every=25"]
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = os.path.join(run_dir, "checkpoint", "last.safetensors")
    deadline = time.time() + 60
    while not os.path.exists(checkpoint) and time.time() < deadline:
        time.sleep(0.001)
    time.sleep(0.05)  # past the checkpoint: the log runs ahead of it
    child.send_signal(signal.SIGKILL)
    child.wait()
    check(not os.path.exists(os.path.join(run_dir, "model.safetensors")), "run ended before kill")
    subprocess.run([nabla, "train", "--resume", "--out", run_dir, "--set", "train.epochs=210"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(len(os.listdir(os.path.join(run_dir, "tensorboard"))) == 2, "want one file per start")
    got = [e.step for e in accumulate(run_dir).Scalars("step/loss")]
    check(got == sorted(set(got)), "steps repeat or go back after the resume")
    check(got == [r["step"] for r in rows(run_dir, "step")], "steps differ from metrics.jsonl")


def main():
    nabla, config = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        fresh_run(nabla, config, tmp)
        killed_and_resumed(nabla, config, tmp)
    print("tensorboard_check: 2 passed, 0 failed")


if __name__ == "__main__":
    main()
