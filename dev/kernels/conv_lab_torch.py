"""PyTorch twin of dev/kernels/conv_lab.cpp: median ms of conv2d forward and forward+backward
for the LeNet / CNN-BN conv shapes at batch 64.
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 dev/kernels/conv_lab_torch.py REPS [THREADS...]
"""
import sys, time, statistics, torch
import torch.nn.functional as F
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 21
cases = [("lenet1 1->6 5x5 p2 28", 1, 6, 5, 2, 28, False), ("lenet2 6->16 5x5 14", 6, 16, 5, 0, 14, True),
         ("cnnbn 32->32 3x3 p1 28", 32, 32, 3, 1, 28, True), ("cnnbn 64->64 3x3 p1 14", 64, 64, 3, 1, 14, True)]
def med(f):
    t = []
    for _ in range(reps):
        a = time.perf_counter(); f(); t.append((time.perf_counter() - a) * 1e3)
    return statistics.median(t)
for threads in [int(a) for a in sys.argv[2:]] or (1, 2):
    torch.set_num_threads(threads)
    for name, c, o, k, pad, hw, ig in cases:
        x = torch.randn(64, c, hw, hw, requires_grad=ig)
        w = torch.randn(o, c, k, k, requires_grad=True); b = torch.randn(o, requires_grad=True)
        out = hw + 2 * pad - k + 1
        g = torch.randn(64, o, out, out)
        def fwd():
            with torch.no_grad(): F.conv2d(x, w, b, 1, pad)
        def fb():
            F.conv2d(x, w, b, 1, pad).backward(g)
        fwd(); fb()
        print(f"{name:24s} threads={threads}  fwd {med(fwd):7.3f} ms  fwd+bwd {med(fb):7.3f} ms", flush=True)
