"""What the fixture generators share: the JSON tensor encoding that tests/support/fixtures.hpp
reads, and writing a file of cases (one case per line, sorted keys: stable, readable diffs)."""
import json
import os

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
