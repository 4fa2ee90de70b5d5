"""MMD² with an RBF kernel, median-heuristic bandwidth and a permutation p-value, computed as Alibi
Detect's MMDDrift documents and implements it (kernel of reference-then-test rows, zeroed diagonal,
unbiased XX and YY terms, -2·mean(K_XY); sigma_median on the reference against itself; p-value =
share of permutations with MMD² >= the observed one; distance threshold = the permuted values sorted
descending at int(p_val · permutations)).

Alibi Detect's MMDDrift needs a TensorFlow, PyTorch or KeOps backend and draws its permutations
inside it, so the fixtures come from this numpy rendering of the same formula, written from its
source: the permutations (the test rows each one picks) are written to the fixture so the TypeScript
test can replay exactly the same ones. MMDDrift itself is timed and compared on the benchmark's data
by bench/peers/mmd_alibi.py.

Usage: python3 bench/peers/mmd_fixtures.py [out_file]   (pip install numpy)
       python3 bench/peers/mmd_fixtures.py --bench N M DIM PERMUTATIONS   (timing, one JSON line)
"""
import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--bench" else Path(__file__).resolve().parents[2] / "test/fixtures/peers/streams/mmd/alibi-formula.json"


def sq_dist(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def sigma_median(x, dist):
    n = x.shape[0]
    n_median = n + (dist.size - n) // 2 - 1
    return float(np.sqrt(0.5 * np.sort(dist.reshape(-1))[n_median]))


def mmd2_from_kernel_matrix(k, m):
    n = k.shape[0] - m
    k_xx, k_yy, k_xy = k[:-m, :-m], k[-m:, -m:], k[-m:, :-m]
    return k_xx.sum() / (n * (n - 1)) + k_yy.sum() / (m * (m - 1)) - 2.0 * k_xy.mean()


def case(name, rng, n, m, dim, shift, permutations, p_val=0.05):
    x_ref = rng.normal(0, 1, (n, dim))
    x = rng.normal(shift, 1, (m, dim))
    sigma = sigma_median(x_ref, sq_dist(x_ref, x_ref))
    pooled = np.concatenate([x_ref, x])
    k = np.exp(-sq_dist(pooled, pooled) / (2 * sigma**2))
    np.fill_diagonal(k, 0.0)
    mmd2 = mmd2_from_kernel_matrix(k, m)
    tests, permuted = [], []
    for _ in range(permutations):
        idx = rng.permutation(n + m)
        permuted.append(float(mmd2_from_kernel_matrix(k[idx][:, idx], m)))
        tests.append(idx[-m:].tolist())
    permuted = np.array(permuted)
    p = float((mmd2 <= permuted).mean())
    threshold = float(np.sort(permuted)[::-1][int(p_val * permutations)])
    return {"name": name, "reference": x_ref.reshape(-1).tolist(), "test": x.reshape(-1).tolist(), "n": n, "m": m, "dim": dim,
            "sigma": sigma, "mmd2": float(mmd2), "permutationTests": tests, "permuted": permuted.tolist(), "pValue": p, "threshold": threshold}


def main():
    rng = np.random.default_rng(3)
    cases = [case("no-shift", rng, 60, 20, 3, 0.0, 40), case("shift-0.8", rng, 50, 25, 2, 0.8, 40), case("wide-5d", rng, 40, 12, 5, 0.3, 30)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"numpy": np.__version__, "cases": cases}, separators=(",", ":")) + "\n")
    print(OUT, [(c["name"], c["sigma"], c["mmd2"], c["pValue"]) for c in cases])


def bench(n, m, dim, permutations):
    """Seconds for one MMD test as Alibi Detect's MMDDrift runs it (numpy rendering: kernel matrix,
    then every permutation re-indexes the whole matrix), best of 3, one JSON line."""
    import time

    rng = np.random.default_rng(2)
    x_ref = rng.normal(0, 1, (n, dim))
    x = rng.normal(0.2, 1, (m, dim))
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        sigma = sigma_median(x_ref, sq_dist(x_ref, x_ref))
        pooled = np.concatenate([x_ref, x])
        k = np.exp(-sq_dist(pooled, pooled) / (2 * sigma**2))
        np.fill_diagonal(k, 0.0)
        mmd2 = mmd2_from_kernel_matrix(k, m)
        permuted = []
        for _ in range(permutations):
            idx = rng.permutation(n + m)
            permuted.append(mmd2_from_kernel_matrix(k[idx][:, idx], m))
        p = float((mmd2 <= np.array(permuted)).mean())
        best = min(best, time.perf_counter() - t)
    print(json.dumps({"numpy": np.__version__, "n": n, "m": m, "dim": dim, "permutations": permutations, "seconds": best, "pValue": p}))


if __name__ == "__main__":
    if len(sys.argv) > 5 and sys.argv[1] == "--bench":
        bench(*(int(a) for a in sys.argv[2:6]))
    else:
        main()
