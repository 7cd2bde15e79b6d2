"""PyTorch twin of bench/tensor_bench.cpp: the same rows, the same sizes, the same units.

    /usr/bin/python3 bench/torch/tensor_bench.py      # PyTorch 1.13 from Debian

Prints one tab-separated line per row: name, value, unit (FLOP/s for matmul, bytes/s for add,
counting add's traffic as 2 reads + 1 write of 4 MB, as the C++ side does; elements/s for
torch.tanh on 1M floats in [-5, 5], the twin of nabla's exact and rational tanh rows). Threads:
NABLA_BENCH_THREADS (default 2) through torch.set_num_threads. Each row is warmed up, then
timed in several segments of many calls; the median segment gives the value, so one segment
disturbed by another process does not move it.
"""
import os

import torch

from timing import seconds_per_call  # bench/torch/timing.py, next to this file

ADD_ELEMENTS = 1 << 20  # 1M floats = 4 MB per operand


def main():
    threads = int(os.environ.get("NABLA_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with torch.no_grad():
        for n in (256, 512, 1024):
            a, b = torch.randn(n, n), torch.randn(n, n)
            t = seconds_per_call(lambda: torch.matmul(a, b))
            print(f"matmul {n}\t{2 * n ** 3 / t:.6g}\tFLOP/s", flush=True)
        a, b = torch.randn(ADD_ELEMENTS), torch.randn(ADD_ELEMENTS)
        t = seconds_per_call(lambda: torch.add(a, b))
        print(f"add 1M f32\t{3 * 4 * ADD_ELEMENTS / t:.6g}\tbytes/s", flush=True)
        x = torch.rand(ADD_ELEMENTS) * 10.0 - 5.0
        t = seconds_per_call(lambda: torch.tanh(x))
        print(f"tanh 1M f32\t{ADD_ELEMENTS / t:.6g}\telements/s", flush=True)


if __name__ == "__main__":
    main()
