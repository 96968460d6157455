#!/usr/bin/env python3
"""Writes the tabular benchmark's datasets as CSV files (header f0..f{d-1},label) into OUT_DIR.

Public sets shipped by Debian's python3-sklearn (read from its data folder, no sklearn import):
iris, wine, breast_cancer, digits (classification) and diabetes (regression); a 12,000-row sample
of Fashion-MNIST (FASHION_DIR, IDX files); and three generated sets with fixed seeds: "blobs"
(6 classes of Gaussian clusters in 20 dimensions, 3 clusters per class, 10 of the dimensions
noise), "tall58k" (many rows of few features: 58,000 rows, 9 features, 7 classes of shares 50% to
2%, 2 clusters per class; the shape where a step is too cheap to split over replicas) and
"friedman1" (Friedman's nonlinear regression, 10 features of which 5 matter, noise 1).

Usage: tabular_data.py OUT_DIR FASHION_DIR
"""
import gzip
import os
import struct
import sys

import numpy as np

SK = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def sklearn_csv(name):
    """The sklearn layout: a first line 'n,d,class names...', then rows of d features and a label."""
    with open(os.path.join(SK, name)) as f:
        f.readline()
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1], rows[:, -1].astype(int)


def digits():
    with gzip.open(os.path.join(SK, "digits.csv.gz"), "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1], rows[:, -1].astype(int)


def diabetes():
    with gzip.open(os.path.join(SK, "diabetes_data_raw.csv.gz"), "rt") as f:
        x = np.loadtxt(f)
    with gzip.open(os.path.join(SK, "diabetes_target.csv.gz"), "rt") as f:
        y = np.loadtxt(f)
    return x, y


def idx(path):
    with (gzip.open(path + ".gz", "rb") if os.path.exists(path + ".gz") else open(path, "rb")) as f:
        magic, = struct.unpack(">i", f.read(4))
        dims = struct.unpack(">" + "i" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def fashion(folder, n=12000):
    x = idx(os.path.join(folder, "train-images-idx3-ubyte")).reshape(-1, 784).astype(float)
    y = idx(os.path.join(folder, "train-labels-idx1-ubyte")).astype(int)
    pick = np.random.default_rng(7).permutation(len(y))[:n]
    return x[pick], y[pick]


def blobs(n=12000, classes=6, per_class=3, informative=10, noise_dims=10, seed=11):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1.6, size=(classes * per_class, informative))
    which = rng.integers(0, classes * per_class, size=n)
    x = centres[which] + rng.normal(0, 1, size=(n, informative))
    x = np.hstack([x, rng.normal(0, 1, size=(n, noise_dims))])
    x = x * rng.uniform(0.5, 20, size=x.shape[1]) + rng.uniform(-50, 50, size=x.shape[1])
    return x, which % classes


def tall(n=58000, features=9, shares=(0.5, 0.2, 0.1, 0.08, 0.06, 0.04, 0.02), per_class=2,
         seed=13):
    rng = np.random.default_rng(seed)
    classes = len(shares)
    centres = rng.normal(0, 1.2, size=(classes * per_class, features))
    label = rng.choice(classes, size=n, p=np.array(shares) / sum(shares))
    which = label * per_class + rng.integers(0, per_class, size=n)
    x = centres[which] + rng.normal(0, 0.6, size=(n, features))
    x = x * rng.uniform(1, 30, size=features) + rng.uniform(-100, 100, size=features)
    return x, label


def friedman1(n=5000, seed=12):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, size=(n, 10))
    y = (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2 + 10 * x[:, 3]
         + 5 * x[:, 4] + rng.normal(0, 1, size=n))
    return x, y


def write(out, name, x, y, integer_labels):
    path = os.path.join(out, name + ".csv")
    with open(path, "w") as f:
        f.write(",".join(["f%d" % i for i in range(x.shape[1])] + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join("%.6g" % v for v in row) + "," + (str(int(label)) if integer_labels
                                                               else "%.6g" % label) + "\n")
    print(path)


def main():
    out, fashion_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    sets = [("iris", sklearn_csv("iris.csv"), True), ("wine", sklearn_csv("wine_data.csv"), True),
            ("breast_cancer", sklearn_csv("breast_cancer.csv"), True), ("digits", digits(), True),
            ("blobs", blobs(), True), ("tall58k", tall(), True),
            ("fashion12k", fashion(fashion_dir), True),
            ("diabetes", diabetes(), False), ("friedman1", friedman1(), False)]
    for name, (x, y), integer in sets:
        write(out, name, x, y, integer)


if __name__ == "__main__":
    main()
