"""What the fixture generators share: the JSON tensor encoding that tests/support/fixtures.hpp
reads, and writing a file of cases (one case per line, sorted keys: stable, readable diffs)."""
import json
import os
import struct

import torch

DTYPE_NAMES = {torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def fixture_path(file_name):
    """tests/fixtures/<file_name> of this repository."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "tests", "fixtures", file_name))


def encode(t):
    t = t.detach()
    data = t.reshape(-1).tolist()
    if t.dtype == torch.float64:
        data = [float(v) for v in data]
    return {"shape": list(t.shape), "dtype": DTYPE_NAMES[t.dtype], "data": data}


def write_cases(file_name, generator, cases):
    doc = {"generator": generator, "torch_version": torch.__version__}
    lines = [json.dumps(c, sort_keys=True) for c in cases]
    header = json.dumps(doc, sort_keys=True)[1:-1]
    text = '{"cases": [\n' + ",\n".join(lines) + "\n], " + header + "}\n"
    assert json.loads(text)["cases"] == json.loads(json.dumps(cases))
    path = fixture_path(file_name)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote {len(cases)} cases to {path} ({len(text)} bytes)")


def randn(*shape):
    """Standard normal float64 from torch's global generator (each script seeds it)."""
    return torch.randn(shape, dtype=torch.float64)


def add_case(cases, name, op, inputs, fn, args=None, grad_inputs=(0,)):
    """Appends one case to `cases`: fn(*leaves) returns the output or a tuple of outputs. When
    grad_inputs is non-empty, the first output is differentiated against a random grad_output
    and the gradient of each input in grad_inputs is stored (None for the others)."""
    leaves = [x.detach().clone().requires_grad_(i in grad_inputs) for i, x in enumerate(inputs)]
    result = fn(*leaves)
    results = list(result) if isinstance(result, tuple) else [result]
    entry = {"name": name, "op": op, "args": args or {}, "inputs": [encode(x) for x in inputs],
             "outputs": [encode(r) for r in results]}
    if grad_inputs:
        grad_output = randn(*results[0].shape)
        wrt = [x for x in leaves if x.requires_grad]
        grads = iter(torch.autograd.grad(results[0], wrt, grad_output))
        entry["grad_output"] = encode(grad_output)
        entry["grads"] = [encode(next(grads)) if x.requires_grad else None for x in leaves]
    assert all(c["name"] != name for c in cases), "duplicate case name " + name
    cases.append(entry)


# safetensors dtype name, nabla's dtype name after loading, bytes per element.
SAFETENSORS_DTYPES = {
    torch.float64: ("F64", "float64", 8), torch.float32: ("F32", "float32", 4),
    torch.float16: ("F16", "float32", 2), torch.bfloat16: ("BF16", "float32", 2),
    torch.int64: ("I64", "int64", 8), torch.int32: ("I32", "int64", 4),
    torch.int16: ("I16", "int64", 2), torch.int8: ("I8", "int64", 1),
    torch.uint8: ("U8", "int64", 1), torch.bool: ("BOOL", "bool", 1),
}


def safetensors_order(state):
    """The names in data order, as the Rust writer (safetensors.torch.save_file) lays them out:
    by dtype size, largest first, then by name."""
    return sorted(state, key=lambda name: (-SAFETENSORS_DTYPES[state[name].dtype][2], name))


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the same 16 bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()  # native order, little-endian on the machines torch runs on


def safetensors_bytes(state, metadata):
    """The bytes safetensors.torch.save_file(state, path, metadata) writes. Debian has no
    python3-safetensors, so the file is built as the format says
    (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N, N
    bytes of JSON (padded with spaces to a multiple of 8, tensors listed alphabetically), then
    each tensor's raw little-endian bytes in safetensors_order."""
    header, data, offset = {}, b"", 0
    for name in safetensors_order(state):
        block = raw_bytes(state[name])
        header[name] = {"dtype": SAFETENSORS_DTYPES[state[name].dtype][0],
                        "shape": list(state[name].shape),
                        "data_offsets": [offset, offset + len(block)]}
        data += block
        offset += len(block)
    doc = {"__metadata__": metadata}
    doc.update({name: header[name] for name in sorted(header)})
    text = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data
