"""Runs ncd's exported PyTorch modules on the inputs and weights `ncd run` used and compares
what they compute with what ncd computed.

Usage: check_torch.py CASES_DIR. Each case folder holds model.py, case.json, inputs,
weights and expected .safetensors files, written by NCDExportTests. Prints one JSON line per
case and mode: {"case", "mode", "ok", "worst", "failures"}, where "worst" is the largest
difference as a fraction of its tolerance (at most 1 where "ok").
"""

import copy
import json
import sys

import torch
from safetensors.torch import load_file

from cases import REFEREED, exported_module, report_each

RTOL = 1e-5
# A floor for tensors that are zero in exact arithmetic, such as the gradient of
# attention's key bias (softmax ignores a shift of every score): both runtimes hold float32
# rounding noise of about 1e-7 there, with no scale of its own to be relative to.
ATOL = 1e-6


def compare(got, want, what, failures, worst, exact=None):
    """|got - want| <= RTOL * max|want| + ATOL elementwise: relative to the tensor's scale.

    Where that fails and `exact` (the float64 value) is given, the tensor is ill-conditioned
    in float32 (a layer norm over two entries, say, whose gradients are zero in exact
    arithmetic): ncd (`want`) must then be as close to the float64 value as PyTorch's own
    float32 (`got`) is, to twice its error, plus the tolerance."""
    if got is None:  # an input nothing differentiable reads: a zero gradient
        got = torch.zeros_like(want)
    if tuple(got.shape) != tuple(want.shape):
        failures.append(f"{what}: shape {tuple(got.shape)}, ncd {tuple(want.shape)}")
        return
    got, want = got.detach().double(), want.double()
    scale = want.abs().max().item() if want.numel() else 0.0
    diff = (got - want).abs().max().item() if want.numel() else 0.0
    tolerance = RTOL * scale + ATOL
    if diff > tolerance and exact is not None:
        exact = exact.detach().double()
        theirs = (got - exact).abs().max().item()
        ours = (want - exact).abs().max().item()
        if ours <= 2 * theirs + tolerance:
            REFEREED[0] += 1
            return
        failures.append(f"{what}: largest difference {diff:.3g} at scale {scale:.3g}; from float64, "
                        f"ncd {ours:.3g}, PyTorch {theirs:.3g}")
        worst[0] = max(worst[0], diff / tolerance)
        return
    if not diff <= tolerance:
        failures.append(f"{what}: largest difference {diff:.3g} at scale {scale:.3g}")
    worst[0] = max(worst[0], diff / tolerance)



def gradients(model, inputs, spec, weights, dtype):
    """The outputs and the gradients of Σ outputs ⊙ R, in `dtype`."""
    xs = [x if item["ids"] else x.detach().to(dtype).requires_grad_(True) for item, x in zip(spec["inputs"], inputs)]
    outputs = model(*xs)
    if not isinstance(outputs, tuple):
        outputs = (outputs,)
    loss = sum((o * weights[i].to(dtype)).sum() for i, o in enumerate(outputs))
    if loss.requires_grad:
        loss.backward()
    grads = {f"grad.input.{item['name']}": x.grad for item, x in zip(spec["inputs"], xs) if not item["ids"]}
    grads.update({f"grad.param.{n}": p.grad for n, p in model.named_parameters()})
    return outputs, grads


def run_case(folder, mode):
    spec = json.loads((folder / "case.json").read_text())
    model = exported_module(folder)
    model.train(mode == "train")
    exact_model = copy.deepcopy(model).double()
    tensors = load_file(folder / "inputs.safetensors")
    expected = load_file(folder / f"expected-{mode}.safetensors")
    inputs = []
    for item in spec["inputs"]:
        t = tensors[item["name"]]
        inputs.append(t.long() if item["ids"] else t.clone().requires_grad_(True))
    weights = [expected[f"weight.{i}"] for i in range(spec["outputs"])]
    outputs, grads = gradients(model, inputs, spec, weights, torch.float32)
    exact_outputs, exact_grads = gradients(exact_model, inputs, spec, weights, torch.float64)
    failures, worst = [], [0.0]
    if len(outputs) != spec["outputs"]:
        failures.append(f"{len(outputs)} outputs, ncd {spec['outputs']}")
    for i, o in enumerate(outputs):
        compare(o, expected[f"output.{i}"], f"output {i + 1}", failures, worst, exact_outputs[i])
    for key, want in expected.items():
        if key.startswith("grad."):
            name = key[len("grad.param."):] if key.startswith("grad.param.") else key[len("grad."):]
            if key not in grads:
                failures.append(f"no parameter {name}")
            elif key.startswith("grad.param.") and grads[key] is None:
                failures.append(f"{name} received no gradient")
            else:
                compare(grads[key], want, f"gradient of {name}", failures, worst, exact_grads.get(key))
    state = model.state_dict()
    for key, want in expected.items():
        if key.startswith("after."):
            name = key[len("after."):]
            compare(state[name].float(), want, f"{name} after the run", failures, worst)
    return failures, worst[0]


def main():
    torch.manual_seed(0)
    report_each(sys.argv[1], run_case)


if __name__ == "__main__":
    main()
