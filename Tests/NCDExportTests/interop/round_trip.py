"""The second half of the round trip ncd -> PyTorch -> ncd (RoundTripTests).

Usage: round_trip.py MODEL.py WEIGHTS_IN DATA.npz WEIGHTS_OUT INPUTS_DIR OUTPUTS_DIR

Loads the module ncd exported with the weights `ncd train` saved, trains it one more epoch
on DATA with Adam (in order, batches of 32, as `ncd train --no-shuffle` visits them), saves
its state_dict, then writes the inputs of the first 50 examples and the module's outputs
on them in evaluation mode, as .npy files, for `ncd run --weights WEIGHTS_OUT` to match.
"""

import importlib.util
import pathlib
import sys

import numpy as np
import torch
from safetensors.torch import load_file, save_file


def main():
    model_path, weights_in, data_path, weights_out, inputs_dir, outputs_dir = sys.argv[1:]
    spec = importlib.util.spec_from_file_location("exported", model_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, module.__all__[0])()
    model.load_state_dict(load_file(weights_in))
    data = np.load(data_path)
    images = torch.from_numpy(data["images"]).float()
    labels = torch.from_numpy(data["labels"]).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for start in range(0, len(images), 32):
        loss, _ = model(images[start:start + 32], labels[start:start + 32])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # float32 throughout, as ncd writes its files (num_batches_tracked included).
    save_file({k: v.float().contiguous() for k, v in model.state_dict().items()}, weights_out)
    model.eval()
    with torch.no_grad():
        loss, logits = model(images[:50], labels[:50])
    np.save(pathlib.Path(inputs_dir) / "images.npy", images[:50].numpy())
    np.save(pathlib.Path(inputs_dir) / "labels.npy", labels[:50].numpy().astype(np.int64))
    np.save(pathlib.Path(outputs_dir) / "output1.npy", loss.numpy())
    np.save(pathlib.Path(outputs_dir) / "output2.npy", logits.numpy())


if __name__ == "__main__":
    main()
