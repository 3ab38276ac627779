"""Checks ncd's exported ONNX models and runs them in ONNX Runtime on the inputs `ncd run`
used, comparing the outputs with ncd's.

Usage: check_onnx.py CASES_DIR. Each case folder holds model-MODE.onnx, case.json, inputs
and expected .safetensors files, written by NCDExportTests. Each model must pass
onnx.checker.check_model(full_check=True). Prints one JSON line per case and mode, as
check_torch.py does.
"""

import json
import pathlib
import sys
import traceback

import numpy as np
import onnx
import onnxruntime
from safetensors.numpy import load_file

RTOL = 1e-5
ATOL = 1e-6  # as check_torch.py: a floor for values that are zero in exact arithmetic


def run_case(folder, mode):
    spec = json.loads((folder / "case.json").read_text())
    path = folder / f"model-{mode}.onnx"
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    tensors = load_file(folder / "inputs.safetensors")
    expected = load_file(folder / f"expected-{mode}.safetensors")
    feed = {}
    for item in spec["inputs"]:
        t = tensors[item["name"]]
        feed[item["name"]] = t.astype(np.int64) if item["ids"] else t
    outputs = session.run(None, feed)
    failures, worst = [], 0.0
    if len(outputs) != spec["outputs"]:
        failures.append(f"{len(outputs)} outputs, ncd {spec['outputs']}")
    for i, got in enumerate(outputs):
        want = expected[f"output.{i}"].astype(np.float64)
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            failures.append(f"output {i + 1}: shape {got.shape}, ncd {want.shape}")
            continue
        scale = float(np.abs(want).max()) if want.size else 0.0
        diff = float(np.abs(got - want).max()) if want.size else 0.0
        if not diff <= RTOL * scale + ATOL:
            failures.append(f"output {i + 1}: largest difference {diff:.3g} at scale {scale:.3g}")
        worst = max(worst, diff / (RTOL * scale + ATOL))
    return failures, worst


def main():
    root = pathlib.Path(sys.argv[1])
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            spec = json.loads((folder / "case.json").read_text())
        except OSError as error:
            print(json.dumps({"case": folder.name, "mode": "-", "ok": False, "worst": 0.0,
                              "failures": [str(error)]}), flush=True)
            continue
        for mode in spec["modes"]:
            try:
                failures, worst = run_case(folder, mode)
            except Exception:
                failures, worst = [traceback.format_exc(limit=2)], -1.0
            print(json.dumps({"case": folder.name, "mode": mode, "ok": not failures, "worst": worst,
                              "failures": failures}), flush=True)


if __name__ == "__main__":
    main()
