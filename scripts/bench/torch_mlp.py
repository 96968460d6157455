#!/usr/bin/env python3
"""PyTorch reference for `scripts/bench.sh local`: the same MLP, data and schedule as Sparkprop.

784-256relu-128relu-10, cross-entropy, Adam (lr 1e-3), batch 128, reshuffled every epoch, pixels
scaled to [0, 1], He-normal weights and zero biases (as Sparkprop's init=he). Prints one JSON line.
Run with Debian's python3-torch and OMP_WAIT_POLICY=PASSIVE (else OpenMP spin-waits fight
OpenBLAS's threads for the two cores: ~3x slower here).

usage: torch_mlp.py DATA_DIR EPOCHS THREADS SEED
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch


def idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(d, base):
    for name in (base + ".gz", base):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit("missing " + base + " in " + d)


def main():
    data_dir, epochs, threads, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    xtr = torch.from_numpy(idx(find(data_dir, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255)
    ytr = torch.from_numpy(idx(find(data_dir, "train-labels-idx1-ubyte")).astype(np.int64))
    xte = torch.from_numpy(idx(find(data_dir, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255)
    yte = torch.from_numpy(idx(find(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    n = xtr.shape[0]
    epoch_seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, 128):
            b = perm[i:i + 128]
            opt.zero_grad()
            loss_fn(model(xtr[b]), ytr[b]).backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
    with torch.no_grad():
        acc = (model(xte).argmax(dim=1) == yte).float().mean().item()
    train_s = sum(epoch_seconds)
    print(json.dumps(dict(bench="local-torch", system="pytorch", torch=torch.__version__, epochs=epochs,
                          threads=threads, batch=128, seconds_per_epoch=round(train_s / epochs, 4),
                          samples_per_s=round(n * epochs / train_s, 1), train_seconds=round(train_s, 3),
                          test_accuracy=round(acc, 4))))


if __name__ == "__main__":
    main()
