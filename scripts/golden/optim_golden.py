#!/usr/bin/env python3
"""Golden optimizer trajectories from PyTorch's torch.optim, for Sparkprop's optim package.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden/optim_golden.py
Writes src/test/resources/golden/optim.json, read by the Java test GoldenOptimizerTest.

Objective: f(w) = 1/2 * sum_i a_i * (w_i - c_i)^2, gradient a_i * (w_i - c_i), in float32 as
Sparkprop computes. Each case records w after every one of 10 steps (so the 1-step and 10-step
values are both there), at an ordinary and at a high learning rate.
"""
import json
import os

import torch

torch.manual_seed(7)
n = 6
a = (torch.rand(n) * 2.0 + 0.2).float()
c = torch.randn(n).float()
w0 = torch.randn(n).float()

CASES = [
    ("sgd", {}, 0.1), ("sgd", {}, 1.5),
    ("momentum", {"momentum": 0.9}, 0.1), ("momentum", {"momentum": 0.5}, 1.2),
    ("nesterov", {"momentum": 0.9}, 0.1), ("nesterov", {"momentum": 0.8}, 1.0),
    ("adagrad", {}, 0.1), ("adagrad", {}, 5.0),
    ("rmsprop", {}, 0.01), ("rmsprop", {"rho": 0.9}, 1.0),
    ("adam", {}, 0.01), ("adam", {"beta1": 0.8, "beta2": 0.99}, 2.0),
    ("adamw", {}, 0.01), ("adamw", {"weight_decay": 0.1}, 1.0),
]


def make(name, hyper, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=hyper["momentum"])
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=hyper["momentum"], nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=hyper.get("rho", 0.99))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)))
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=hyper.get("weight_decay", 0.01))
    raise ValueError(name)


cases = []
for name, hyper, lr in CASES:
    w = w0.clone().requires_grad_(True)
    opt = make(name, hyper, [w], lr)
    traj = []
    for _ in range(10):
        opt.zero_grad()
        loss = 0.5 * (a * (w - c) ** 2).sum()
        loss.backward()
        opt.step()
        traj.append(w.detach().tolist())
    cases.append(dict(optimizer=name, hyper=hyper, lr=lr, trajectory=traj))

# Clipping by global norm and an L2 penalty (torch: SGD weight_decay adds wd * w to the gradient).
w = w0.clone().requires_grad_(True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.05)
clip_traj = []
for _ in range(10):
    opt.zero_grad()
    (0.5 * (a * (w - c) ** 2).sum() * 20.0).backward()   # large gradients, so clipping acts
    # Sparkprop clips after adding the penalty; emulate: add the decay first, then clip.
    with torch.no_grad():
        w.grad.add_(w, alpha=0.05)
    torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    with torch.no_grad():
        w.grad.sub_(w, alpha=0.05)                      # SGD adds it back, after clipping
    opt.step()
    clip_traj.append(w.detach().tolist())

out = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden", "optim.json")
with open(out, "w") as fh:
    json.dump(dict(generator="scripts/golden/optim_golden.py", torch=torch.__version__,
                   a=a.tolist(), c=c.tolist(), w0=w0.tolist(), cases=cases,
                   clipped=dict(optimizer="momentum", momentum=0.9, lr=0.1, l2=0.05, clip_norm=1.0,
                                loss_scale=20.0, trajectory=clip_traj)), fh, indent=1)
print("wrote", os.path.normpath(out))
