#!/usr/bin/python3
"""Writes tests/fixtures/torch_state.safetensors and tests/fixtures/torch_state.json.

Run from anywhere with the system Python (Debian's python3-torch):
    /usr/bin/python3 tools/golden/make_safetensors_fixture.py

Debian has no python3-safetensors, so the file is built by hand exactly as the format says
(https://github.com/huggingface/safetensors): an 8-byte little-endian header length N, N bytes
of JSON (padded with spaces to a multiple of 8), then each tensor's raw little-endian bytes.
Like the Rust writer, the data is ordered by dtype size (largest first), then by name, while the
header lists the tensors alphabetically, so a reader must go by data_offsets, not key order.

torch_state.json holds what nabla must read back: per tensor (in data-offset order) the file's
dtype, nabla's dtype after conversion (F16/BF16 -> float32, I32/I16/I8/U8 -> int64), the shape
and the values, floats as float.hex() text so that -0.0, subnormals and inf compare exactly.
Deterministic: fixed seed, sorted keys; regenerating gives byte-identical files.
"""
import json
import os

import torch

from fixture_io import SAFETENSORS_DTYPES, safetensors_bytes, safetensors_order

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures")

torch.manual_seed(0)
torch.set_num_threads(1)

DTYPES = SAFETENSORS_DTYPES
INF = float("inf")


def tensors():
    return {
        "linear.weight": torch.randn(2, 3),
        "linear.bias": torch.randn(3, dtype=torch.float64),
        "half": torch.tensor([[1.5, -2.25, 65504.0], [2.0 ** -24, -0.0, INF]], dtype=torch.float16),
        "brain": torch.cat([torch.randn(3), torch.tensor([-INF])]).to(torch.bfloat16),
        "steps": torch.tensor([7, -(2 ** 40)], dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
        "counts": torch.tensor([-3, 0, 2 ** 31 - 1], dtype=torch.int32),
        "shorts": torch.tensor([-32768, 12345], dtype=torch.int16),
        "signed_bytes": torch.tensor([-128, 127], dtype=torch.int8),
        "pixels": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "scalar": torch.tensor(0.1, dtype=torch.float32),
        "empty": torch.zeros(0, 3),
    }


def expected_values(t):
    flat = t.reshape(-1)
    if t.dtype.is_floating_point:
        return [float(v).hex() for v in flat.double().tolist()]
    return flat.tolist()


def main():
    state = tensors()
    metadata = {"format": "pt", "source": "make_safetensors_fixture.py"}
    expected = []
    for name in safetensors_order(state):
        t = state[name]
        st_dtype, nabla_dtype, _ = DTYPES[t.dtype]
        expected.append({"name": name, "file_dtype": st_dtype, "dtype": nabla_dtype,
                         "shape": list(t.shape), "data": expected_values(t)})
    file_bytes = safetensors_bytes(state, metadata)
    assert len(file_bytes) < 4096
    with open(os.path.join(FIXTURES, "torch_state.safetensors"), "wb") as out:
        out.write(file_bytes)
    answer = {"generator": "tools/golden/make_safetensors_fixture.py",
              "torch_version": torch.__version__, "metadata": metadata, "tensors": expected}
    with open(os.path.join(FIXTURES, "torch_state.json"), "w", encoding="utf-8") as out:
        out.write(json.dumps(answer, sort_keys=True, indent=1) + "\n")
    print(f"wrote torch_state.safetensors ({len(file_bytes)} bytes) and torch_state.json")


if __name__ == "__main__":
    main()
