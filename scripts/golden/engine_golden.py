#!/usr/bin/env python3
"""Golden values for Sparkprop's engine, computed by an independent reference: PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/golden/engine_golden.py
Writes src/test/resources/golden/engine.json, which the Java tests (GoldenEngineTest) read.

Every input is drawn in float32 (so Java sees exactly the same numbers) and every reference
value is computed by torch autograd in float64. Conventions match Sparkprop's: losses are SUMS over
rows (weighted sums where weights are given), squared loss is 1/2 * sum (z - y)^2, dense weights are
(out, in) like torch.nn.Linear.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(20261122)
G = {}


def f32(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).float()


def tolist(t):
    return t.detach().double().flatten().tolist()


def leaf(t):
    return t.double().clone().requires_grad_(True)


# ---- dense layer ---------------------------------------------------------------------------
x, W, b, dout = f32(3, 5), f32(4, 5, scale=0.5), f32(4, scale=0.1), f32(3, 4)
xl, Wl, bl = leaf(x), leaf(W), leaf(b)
out = xl @ Wl.T + bl
out.backward(dout.double())
G["dense"] = dict(rows=3, nIn=5, nOut=4, x=tolist(x), W=tolist(W), b=tolist(b), dOut=tolist(dout),
                  out=tolist(out), dW=tolist(Wl.grad), db=tolist(bl.grad), dX=tolist(xl.grad))

# ---- activations (3 rows x 4) --------------------------------------------------------------
acts = {
    "relu": lambda z: torch.relu(z),
    "leakyrelu(0.1)": lambda z: F.leaky_relu(z, 0.1),
    "sigmoid(2)": lambda z: torch.sigmoid(2.0 * z),
    "tanh": lambda z: torch.tanh(z),
    "softmax": lambda z: torch.softmax(z, dim=1),
}
G["activations"] = {}
for name, fn in acts.items():
    z, d = f32(3, 4, scale=2.0), f32(3, 4)
    zl = leaf(z)
    y = fn(zl)
    y.backward(d.double())
    G["activations"][name] = dict(rows=3, width=4, z=tolist(z), dOut=tolist(d), out=tolist(y),
                                  dIn=tolist(zl.grad))

# ---- batch norm (training mode: batch statistics; then running statistics) ------------------
x, gamma, beta, d = f32(6, 3, scale=2.0) + 1.0, f32(3, scale=0.5) + 1.0, f32(3, scale=0.5), f32(6, 3)
xl, gl, bl = leaf(x), leaf(gamma), leaf(beta)
rm, rv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
y = F.batch_norm(xl, rm, rv, gl, bl, training=True, momentum=0.1, eps=1e-5)
y.backward(d.double())
G["batchnorm"] = dict(rows=6, width=3, x=tolist(x), gamma=tolist(gamma), beta=tolist(beta),
                      dOut=tolist(d), out=tolist(y), dX=tolist(xl.grad), dGamma=tolist(gl.grad),
                      dBeta=tolist(bl.grad), runningMean=tolist(rm), runningVar=tolist(rv))


# ---- losses: value = weighted sum over rows, gradient w.r.t. the scores -----------------------
def loss_case(name, z, labels, weights, fn):
    zl = leaf(z)
    per_row = fn(zl, labels)
    w = weights.double() if weights is not None else torch.ones(z.shape[0], dtype=torch.float64)
    total = (per_row * w).sum()
    total.backward()
    G["losses"][name] = dict(rows=z.shape[0], width=z.shape[1], z=tolist(z),
                             labels=labels.double().flatten().tolist(),
                             weights=None if weights is None else tolist(weights),
                             loss=total.item(), dZ=tolist(zl.grad))


G["losses"] = {}
rows, K = 5, 4
zk = f32(rows, K, scale=2.0)
yk = torch.randint(0, K, (rows,))
wk = torch.rand(rows).float() + 0.5
z1 = f32(rows, 1, scale=2.0)
y01 = torch.tensor([0, 1, 1, 0, 1])


def pm(y):  # {0,1} -> {-1,+1}
    return (2 * y - 1).double()


loss_case("cross_entropy", zk, yk, None, lambda z, y: F.cross_entropy(z, y, reduction="none"))
loss_case("cross_entropy_weighted", zk, yk, wk, lambda z, y: F.cross_entropy(z, y, reduction="none"))
# torch's multi_margin_loss divides by the number of classes; Sparkprop's hinge is the plain sum.
loss_case("hinge", zk, yk, None,
          lambda z, y: F.multi_margin_loss(z, y, margin=1.0, reduction="none") * z.shape[1])
loss_case("logistic", z1, y01, None,
          lambda z, y: F.binary_cross_entropy_with_logits(z[:, 0], y.double(), reduction="none"))
loss_case("hinge_binary", z1, y01, None, lambda z, y: torch.clamp(1 - pm(y) * z[:, 0], min=0))
loss_case("perceptron_binary", z1, y01, None, lambda z, y: torch.clamp(-pm(y) * z[:, 0], min=0))
loss_case("perceptron", zk, yk, None,
          lambda z, y: z.max(dim=1).values - z.gather(1, y.view(-1, 1))[:, 0])
yreg = f32(rows, 2)
loss_case("squared", f32(rows, 2), yreg, wk,
          lambda z, y: 0.5 * ((z - y.double()) ** 2).sum(dim=1))

# ---- a small MLP: 6-5relu-4tanh-3, cross-entropy, weighted, L2 on weights ---------------------
sizes = [6, 5, 4, 3]
Ws = [f32(sizes[i + 1], sizes[i], scale=0.6) for i in range(3)]
bs = [f32(sizes[i + 1], scale=0.1) for i in range(3)]
x = f32(7, 6)
y = torch.randint(0, 3, (7,))
w = torch.rand(7).float() + 0.5
params = []
for Wi, bi in zip(Ws, bs):
    params += [leaf(Wi), leaf(bi)]
h = leaf(x)
a1 = torch.relu(h @ params[0].T + params[1])
a2 = torch.tanh(a1 @ params[2].T + params[3])
z = a2 @ params[4].T + params[5]
loss_sum = (F.cross_entropy(z, y, reduction="none") * w.double()).sum()
loss_sum.backward()
flat = lambda ts: [v for t in ts for v in tolist(t)]
G["mlp"] = dict(spec="6-5relu-4tanh-3", loss="cross_entropy", rows=7, x=tolist(x),
                labels=y.double().tolist(), weights=tolist(w),
                params=flat(Ws[0:1] + bs[0:1] + Ws[1:2] + bs[1:2] + Ws[2:3] + bs[2:3]),
                output=tolist(z), lossSum=loss_sum.item(),
                grad=flat([params[i].grad for i in range(6)]), dX=tolist(h.grad))

# ---- inference-mode layers (their own generator: the cases above keep their values) ----------
gen = torch.Generator().manual_seed(20261202)


def g32(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen) * scale).float()


# Batch norm at inference: the running statistics, no batch statistics, nothing updated.
x, gamma, beta = g32(5, 3, scale=2.0) + 0.5, g32(3, scale=0.5) + 1.0, g32(3, scale=0.5)
rm, rv = g32(3), g32(3).abs() + 0.5
y = F.batch_norm(x.double(), rm.double(), rv.double(), gamma.double(), beta.double(),
                 training=False, eps=1e-5)
G["batchnorm_inference"] = dict(rows=5, width=3, x=tolist(x), gamma=tolist(gamma),
                                beta=tolist(beta), runningMean=tolist(rm), runningVar=tolist(rv),
                                out=tolist(y))

# Dropout, inverted as torch's: the identity at inference; in training a kept unit is scaled by
# 1/(1-p) (in float32) and a dropped one is 0, the gradient through the same mask.
p = 0.3
x = g32(4, 5)
ones = torch.ones(200000, dtype=torch.float32)
kept = F.dropout(ones, p, training=True)
G["dropout"] = dict(p=p, rows=4, width=5, x=tolist(x),
                    inference=tolist(F.dropout(x, p, training=False)),
                    keptValue=kept.max().item(), droppedValue=kept.min().item(),
                    keptFraction=(kept > 0).double().mean().item())

out = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "golden",
                   "engine.json")
with open(out, "w") as fh:
    json.dump(dict(generator="scripts/golden/engine_golden.py", torch=torch.__version__, cases=G),
              fh, indent=1)
print("wrote", os.path.normpath(out), file=sys.stderr)
