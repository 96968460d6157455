#!/usr/bin/env python3
"""Sparkprop's cost model: time per epoch against the number of executors, from measured terms.

Reads the JSON lines of `scripts/bench.sh jobcost --cluster` (docs/measurements/jobcost.jsonl),
fits the cost of one driver-centric synchronisation (a Spark job: broadcast, R tasks,
treeAggregate) on some of them, checks the fit on the ones it did not use, and prints the
predicted time per epoch of each mode for 10 ... 1,000 executors (1 core each), for the 235k- and
the 10M-parameter MLP. Standard library only.

    python3 docs/costmodel.py [docs/measurements/jobcost.jsonl] [--compute-us-per-row 20]

Model (R replicas, one per executor core; N rows; b rows per replica per step; P parameters):
    job(R, B)   = j0 + j1*R + B*R / bw_job        B = bytes broadcast = bytes returned per task
    sync        = S * (b*c + job(R, 4P))          S = N / (R*b) steps per epoch
    local SGD   = N/R * c + rounds * job(R, 12P)  rounds = ceil(R/2) (the accuracy bound; Adam: 3 slots)
    allreduce   = S * (b*c + ar(R, 4P)) + stage   ar = 2*bytes/bw_net + 2(R-1)*lat
The job's terms are fitted by least squares; bw_net and lat come from `bench.sh sync`
(docs/measurements/sync.jsonl) when present, else from defaults stated below.
"""
import json
import math
import sys


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def lstsq(xs, ys):
    """Least squares for y = X·beta with a few columns, by the normal equations."""
    k = len(xs[0])
    a = [[sum(x[i] * x[j] for x in xs) for j in range(k)] for i in range(k)]
    v = [sum(x[i] * y for x, y in zip(xs, ys)) for i in range(k)]
    for i in range(k):                                     # Gauss-Jordan
        p = max(range(i, k), key=lambda r: abs(a[r][i]))
        a[i], a[p], v[i], v[p] = a[p], a[i], v[p], v[i]
        for r in range(k):
            if r != i and a[i][i] != 0:
                f = a[r][i] / a[i][i]
                a[r] = [x - f * y for x, y in zip(a[r], a[i])]
                v[r] -= f * v[i]
    return [v[i] / a[i][i] if a[i][i] else 0.0 for i in range(k)]


def features(m):
    return [1.0, m["tasks"], m["bytes_broadcast"] * m["tasks"] / 1e6]


def main(argv):
    path = "docs/measurements/jobcost.jsonl"
    c_us = 20.0
    args = list(argv)
    if "--compute-us-per-row" in args:
        i = args.index("--compute-us-per-row")
        c_us = float(args[i + 1])
        del args[i:i + 2]
    if args:
        path = args[0]
    rows = [m for m in load(path) if m.get("bench") == "jobcost" and m["depth"] == 2]
    local = [m for m in rows if m["master"].startswith("local")]
    cluster = [m for m in rows if not m["master"].startswith("local")]
    # local[N]: the three terms, fitted on N < the largest N, checked on the largest.
    top = max(m["tasks"] for m in local)
    beta = lstsq([features(m) for m in local if m["tasks"] < top],
                 [m["job_ms_median"] for m in local if m["tasks"] < top])
    j0, j1, per_mb = beta
    predict = lambda m, off=0.0: off + sum(b * x for b, x in zip(beta, features(m)))
    print(f"# local[N]: job_ms = {j0:.1f} + {j1:.2f}*R + {per_mb:.2f}*MB returned "
          f"(fitted on R < {top})")
    for m in local:
        if m["tasks"] == top:
            p = predict(m)
            print(f"#   held out R={m['tasks']} {m['floats']} floats x{m['slots']}: measured "
                  f"{m['job_ms_median']:.1f} ms, predicted {p:.1f} ms ({(p / m['job_ms_median'] - 1) * 100:+.0f}%)")
    # The loopback cluster: the same slopes plus one offset (separate JVMs, RPC, serialisation),
    # fitted on 2 and 3 workers, checked on 4.
    if cluster:
        ctop = max(m["tasks"] for m in cluster)
        fit = [m for m in cluster if m["tasks"] < ctop]
        offset = sum(m["job_ms_median"] - predict(m) for m in fit) / len(fit)
        j0 += offset
        print(f"# cluster: the same + {offset:.1f} ms (fitted on R < {ctop})")
        for m in cluster:
            if m["tasks"] == ctop:
                p = predict(m, offset)
                print(f"#   held out R={m['tasks']} {m['floats']} floats x{m['slots']}: measured "
                      f"{m['job_ms_median']:.1f} ms, predicted {p:.1f} ms ({(p / m['job_ms_median'] - 1) * 100:+.0f}%)")
    # Network terms of the collective; measured on loopback by bench.sh sync when available.
    bw_net_gb_s, lat_ms = 1.0, 0.05
    stage_ms = j0 + 10.0                                   # a job's fixed cost + the rendezvous
    try:
        sync = [m for m in load("docs/measurements/sync.jsonl") if m.get("mode") == "allreduce"
                and m.get("bus_bandwidth_gb_s")]
        if sync:
            bw_net_gb_s = max(m["bus_bandwidth_gb_s"] for m in sync)
    except OSError:
        pass
    print(f"# collective: bus bandwidth {bw_net_gb_s:.2f} GB/s (measured, loopback), {lat_ms} ms "
          f"per hop (assumed), {stage_ms:.0f} ms + {j1:.1f} ms per replica per stage")
    c = c_us / 1e6
    b = 128
    for name, params, n_rows in (("235k MLP, 60k rows", 235_146, 60_000),
                                 ("235k MLP, 6M rows", 235_146, 6_000_000),
                                 ("10M MLP, 6M rows", 10_049_418, 6_000_000)):
        print(f"\n{name} (b={b} per replica, {c_us:.0f} us/row for the 235k MLP, scaled by "
              f"parameters): seconds per epoch; replicas = min(executors, rows / (b * 100))")
        print(f"{'executors':>10} {'replicas':>9} {'steps/ep':>9} {'compute':>9} {'sync':>9} "
              f"{'local_sgd':>10} {'allreduce':>10}")
        for e in (10, 30, 100, 300, 1000):
            r = max(1, min(e, n_rows // (b * 100)))
            steps = max(1, n_rows // (r * b))
            job = lambda mb: (j0 + j1 * r + per_mb * mb * r) / 1e3
            compute = n_rows / r * c * (params / 235_146)
            step_c = compute / steps
            sync_s = steps * (step_c + job(4 * params / 1e6))
            local_s = compute + math.ceil(r / 2) * job(12 * params / 1e6)
            ar = 2 * 4 * params / (bw_net_gb_s * 1e9) + 2 * (r - 1) * lat_ms / 1e3
            allreduce_s = steps * (step_c + ar) + (stage_ms + j1 * r) / 1e3
            print(f"{e:>10} {r:>9} {steps:>9} {compute:>9.2f} {sync_s:>9.2f} {local_s:>10.2f} "
                  f"{allreduce_s:>10.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
