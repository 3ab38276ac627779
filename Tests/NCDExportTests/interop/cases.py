"""What check_torch.py and check_onnx.py share: walking the case folders and reporting."""

import json
import pathlib
import traceback


# How many comparisons of the current run the float64 referee settled (the checks add to it).
REFEREED = [0]


def report_each(root, run_case):
    """Runs run_case(folder, mode) for every case folder under root and mode it lists;
    prints {"case", "mode", "ok", "worst", "refereed", "failures"} per run, one JSON line."""
    for folder in sorted(p for p in pathlib.Path(root).iterdir() if p.is_dir()):
        try:
            spec = json.loads((folder / "case.json").read_text())
        except OSError as error:
            print(json.dumps({"case": folder.name, "mode": "-", "ok": False, "worst": 0.0,
                              "failures": [str(error)]}), flush=True)
            continue
        for mode in spec["modes"]:
            REFEREED[0] = 0
            try:
                failures, worst = run_case(folder, mode)
            except Exception:
                failures, worst = [traceback.format_exc(limit=3)], -1.0
            print(json.dumps({"case": folder.name, "mode": mode, "ok": not failures, "worst": worst,
                              "refereed": REFEREED[0], "failures": failures}), flush=True)


def exported_module(folder, dtype=None):
    """The case's exported PyTorch module with ncd's weights (in `dtype` if given)."""
    import importlib.util

    import torch
    from safetensors.torch import load_file

    spec = json.loads((folder / "case.json").read_text())
    module_spec = importlib.util.spec_from_file_location(f"m_{folder.name}", folder / "model.py")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    model = getattr(module, spec["class"])()
    model.load_state_dict(load_file(folder / "weights.safetensors"))
    return model.to(dtype) if dtype is not None else model


def exact_outputs(folder, mode):
    """The case's outputs in float64, from its exported PyTorch module: the referee where
    float32 results are ill-conditioned."""
    import torch
    from safetensors.torch import load_file

    spec = json.loads((folder / "case.json").read_text())
    model = exported_module(folder, torch.float64)
    model.train(mode == "train")
    tensors = load_file(folder / "inputs.safetensors")
    inputs = [tensors[i["name"]].long() if i["ids"] else tensors[i["name"]].double() for i in spec["inputs"]]
    with torch.no_grad():
        outputs = model(*inputs)
    return [o.numpy() for o in (outputs if isinstance(outputs, tuple) else (outputs,))]
