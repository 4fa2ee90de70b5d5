"""Times Alibi Detect's MMDDrift on the drift-streams benchmark's MMD data (called by
bench/drift-streams.bench.ts).

Usage: python mmd_alibi.py DATA_FILE N M DIM PERMUTATIONS [BACKEND ...]
DATA_FILE holds float64 little-endian values: the reference sample (N x DIM, row-major), then one or
more test samples (M x DIM each), all standardised exactly as Vigil's mmd detector holds them, so
both sides test the same numbers. MMDDrift(x_ref, backend, n_permutations, p_val=0.05) is built once
(Alibi infers sigma from x_ref with the median heuristic and keeps K_xx, as Vigil's prepareReference
keeps sigma); predict on the first test sample is timed, best of 5 after a warm-up, wall and process
CPU seconds (the CPU time counts every thread the backend used); every test sample gets one p-value
and MMD^2. Backends are tried in the order given (default tensorflow, then pytorch); the first that
imports is timed and each failure is recorded. Prints one JSON line with the timings, Alibi's
p-values, MMD^2 and sigma, and the versions.

Needs numpy and alibi-detect with a backend. alibi-detect 0.13 pins numpy < 2, and tf-keras declares
the full `tensorflow` package, so the CPU-only TensorFlow install is:
    pip install alibi-detect==0.13.0 tensorflow-cpu==2.18.1 tensorflow-probability==0.25.0 numpy==1.26.4
    pip install --no-deps tf-keras==2.18.0
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter goes to stderr otherwise

from importlib import metadata  # noqa: E402

import numpy as np  # noqa: E402


def installed(distribution):
    """The installed version of a distribution, None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def seed_backend(backend, seed):
    np.random.seed(seed)
    if backend == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)
        return {"tensorflow": tf.__version__, "tensorflow_probability": installed("tensorflow-probability"), "tf_keras": installed("tf-keras"), "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(), "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads()}
    import torch

    torch.manual_seed(seed)
    return {"torch": torch.__version__, "torchThreads": torch.get_num_threads()}


def main():
    path, n, m, dim, permutations = sys.argv[1], *map(int, sys.argv[2:6])
    backends = sys.argv[6:] or ["tensorflow", "pytorch"]
    data = np.fromfile(path, dtype="<f8")
    x_ref = data[: n * dim].reshape(n, dim)
    tests = data[n * dim:].reshape(-1, m, dim)
    x = tests[0]
    out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "alibi_detect": installed("alibi-detect")}, "n": n, "m": m, "dim": dim, "permutations": permutations}
    failures = {}
    for backend in backends:
        try:
            from alibi_detect.cd import MMDDrift

            out["versions"].update(seed_backend(backend, 0))
            detector = MMDDrift(x_ref, backend=backend, p_val=0.05, n_permutations=permutations)
            first = detector.predict(x)  # warm-up: graph tracing and kernel caches
        except Exception as error:  # recorded in the result, not hidden
            failures[backend] = f"{type(error).__name__}: {error}"
            continue
        walls, cpus = [], []
        for _ in range(5):
            start, cpu_start = time.perf_counter(), time.process_time()
            result = detector.predict(x)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu_start)
        sigma = getattr(getattr(detector._detector, "kernel", None), "sigma", None)
        out.update({
            "backend": backend,
            "predictSecondsBest": min(walls),
            "predictSecondsAll": walls,
            "predictCpuSecondsBest": min(cpus),
            "pValue": float(result["data"]["p_val"]),
            "pValueWarmUp": float(first["data"]["p_val"]),
            "mmd2": float(result["data"]["distance"]),
            "threshold": float(result["data"]["distance_threshold"]),
            "samples": [{"pValue": float(r["data"]["p_val"]), "mmd2": float(r["data"]["distance"])} for r in map(detector.predict, tests)],
            "sigma": None if sigma is None else float(np.asarray(sigma).reshape(-1)[0]),
        })
        break
    if failures:
        out["failures"] = failures
    if "backend" not in out:
        out["unavailable"] = "no Alibi Detect backend ran: " + "; ".join(f"{b}: {e}" for b, e in failures.items())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
