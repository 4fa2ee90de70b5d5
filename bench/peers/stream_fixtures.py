"""Detection indices of River's sequential drift detectors on seeded streams, as JSON fixtures.

Usage: python3 bench/peers/stream_fixtures.py [out_dir]   (pip install river numpy scipy)
       python3 bench/peers/stream_fixtures.py --bench N   (timing over N updates, one JSON line)
Writes one file per stream to test/fixtures/peers/streams/. Values are written with repr precision,
so the TypeScript tests feed exactly the same doubles.
"""
import json
import sys
from pathlib import Path

import numpy as np
import river
from river import drift
from river.drift.binary import DDM

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--bench" else Path(__file__).resolve().parents[2] / "test/fixtures/peers/streams"


def streams():
    rng = np.random.default_rng(7)
    yield "step", "N(0,1) x1500 then N(1.5,1) x1500, seed 7", np.concatenate([rng.normal(0, 1, 1500), rng.normal(1.5, 1, 1500)])
    rng = np.random.default_rng(11)
    ramp = np.concatenate([np.zeros(1000), np.linspace(0, 2, 1500), np.full(500, 2.0)])
    yield "gradual", "N(0,1) plus a mean ramping 0 to 2 over rows 1000..2500, seed 11", ramp + rng.normal(0, 1, 3000)
    rng = np.random.default_rng(13)
    yield "variance", "N(0,1) x1500 then N(0,3) x1500, seed 13", np.concatenate([rng.normal(0, 1, 1500), rng.normal(0, 3, 1500)])
    rng = np.random.default_rng(17)
    yield "errors", "Bernoulli(0.1) x2000 then Bernoulli(0.3) x1000, seed 17", np.concatenate([rng.random(2000) < 0.1, rng.random(1000) < 0.3]).astype(float)
    rng = np.random.default_rng(19)
    yield "stationary", "N(5,2) x4000, seed 19 (no change)", rng.normal(5, 2, 4000)


CONFIGS = [
    ("adwin-default", "adwin", {}, lambda: drift.ADWIN()),
    ("adwin-clock1", "adwin", {"delta": 0.01, "clock": 1, "minWindowLength": 10, "gracePeriod": 20}, lambda: drift.ADWIN(delta=0.01, clock=1, min_window_length=10, grace_period=20)),
    ("adwin-buckets3", "adwin", {"delta": 0.05, "clock": 8, "maxBuckets": 3}, lambda: drift.ADWIN(delta=0.05, clock=8, max_buckets=3)),
    ("ph-default", "page-hinkley", {}, lambda: drift.PageHinkley()),
    ("ph-up-10", "page-hinkley", {"threshold": 10, "mode": "up", "minInstances": 50}, lambda: drift.PageHinkley(threshold=10, mode="up", min_instances=50)),
    ("ph-down-fast", "page-hinkley", {"threshold": 20, "mode": "down", "alpha": 0.99, "delta": 0.05}, lambda: drift.PageHinkley(threshold=20, mode="down", alpha=0.99, delta=0.05)),
    ("kswin-seed42", "kswin", {"seed": 42}, lambda: drift.KSWIN(seed=42)),
    ("kswin-big", "kswin", {"alpha": 0.01, "windowSize": 400, "statSize": 60, "seed": 7}, lambda: drift.KSWIN(alpha=0.01, window_size=400, stat_size=60, seed=7)),
]
DDM_CONFIGS = [
    ("ddm-default", "ddm", {}, lambda: DDM()),
    ("ddm-tight", "ddm", {"warmStart": 100, "warningThreshold": 1.5, "driftThreshold": 2.5}, lambda: DDM(warm_start=100, warning_threshold=1.5, drift_threshold=2.5)),
]


def run(make, values, binary):
    det = make()
    drifts, warnings = [], []
    for i, v in enumerate(values):
        det.update(bool(v) if binary else float(v))
        if det.drift_detected:
            drifts.append(i)
        if getattr(det, "warning_detected", False):
            warnings.append(i)
    return drifts, warnings


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, description, values in streams():
        binary = name == "errors"
        configs = CONFIGS + (DDM_CONFIGS if binary else [])
        out = {"stream": name, "description": description, "river": river.__version__, "values": [float(v) for v in values], "detectors": []}
        for cid, algorithm, params, make in configs:
            drifts, warnings = run(make, values, binary)
            entry = {"id": cid, "algorithm": algorithm, "params": params, "drifts": drifts}
            if algorithm == "ddm":
                entry["warnings"] = warnings
            out["detectors"].append(entry)
        (OUT / f"{name}.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")
        print(name, {d["id"]: len(d["drifts"]) for d in out["detectors"]})


def bench(n):
    """Timing of River's detectors over an n-value N(0,1) stream with a 1σ step at n/2, one JSON line.

    The loop is Python's, so each update also pays one interpreter call; the empty-loop baseline is
    reported beside it.
    """
    import time

    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(0, 1, n // 2), rng.normal(1, 1, n - n // 2)]).tolist()

    def baseline(x):
        return None

    out = {"river": river.__version__, "updates": n}
    best = float("inf")
    best_cpu = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        c = time.process_time()
        for x in values:
            baseline(x)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    out["pythonCallLoopNsPerUpdate"] = best / n * 1e9
    out["pythonCallLoopCpuNsPerUpdate"] = best_cpu / n * 1e9
    for name, make in [("adwin", drift.ADWIN), ("pageHinkley", drift.PageHinkley)]:
        best = float("inf")
        best_cpu = float("inf")
        detections = 0
        for _ in range(3):
            det = make()
            update = det.update
            t = time.perf_counter()
            c = time.process_time()
            for x in values:
                update(x)
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - c)
        out[f"{name}CpuNsPerUpdate"] = best_cpu / n * 1e9
        det = make()
        for x in values:
            det.update(x)
            detections += det.drift_detected
        out[f"{name}NsPerUpdate"] = best / n * 1e9
        out[f"{name}Detections"] = int(detections)
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--bench":
        bench(int(sys.argv[2]))
    else:
        main()
