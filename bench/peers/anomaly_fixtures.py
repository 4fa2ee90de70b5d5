"""Cross-check fixtures for the anomaly kernels, computed with scikit-learn.

Writes test/fixtures/peers/anomaly/*.json: seeded data sets (reference rows and test rows with outlier
labels) and what scikit-learn computes on them:
  - LedoitWolf (assume_centered=False): location, shrinkage, covariance, and the squared Mahalanobis
    distances of the test rows (`mahalanobis`), which the TypeScript kernel must reproduce to 1e-9;
  - IsolationForest (n_estimators=100, max_samples=256, contamination="auto"): AUROC of
    -score_samples over the test labels, mean and spread over 10 random_state values. Two forests
    built from different random streams cannot agree value by value, so the TypeScript forest is
    compared on ranking quality (its AUROC against this range), not on scores.

Dev script only: pip install scikit-learn numpy; python3 bench/peers/anomaly_fixtures.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.covariance import LedoitWolf
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "peers", "anomaly")
LOADINGS = np.array([0.9, 0.8, 0.85, 0.7, 0.0, 0.0])


def law(rng, n):
    z = rng.standard_normal(n)
    eps = rng.standard_normal((n, len(LOADINGS)))
    return 10.0 * np.arange(len(LOADINGS)) + np.outer(z, LOADINGS) + np.sqrt(1 - LOADINGS**2) * eps


def outliers(rng, n, kind):
    x = law(rng, n)
    if kind == "marginal":
        x[:, 4] = 40 + np.where(rng.standard_normal(n) > 0, 7.0, -7.0)
    elif kind == "correlation":
        x[:, 0] = 1.6
        x[:, 1] = 10 - 1.6
    elif kind == "joint":
        x += 3.5
    return x


def fixture(name, seed, kind, n_ref=500, n_in=250, n_out=25):
    rng = np.random.default_rng(seed)
    ref = np.round(law(rng, n_ref), 6)
    test = np.round(np.vstack([law(rng, n_in), outliers(rng, n_out, kind)]), 6)
    labels = np.array([0] * n_in + [1] * n_out)
    lw = LedoitWolf().fit(ref)
    aurocs = []
    for state in range(10):
        forest = IsolationForest(n_estimators=100, max_samples=256, random_state=state).fit(ref)
        aurocs.append(roc_auc_score(labels, -forest.score_samples(test)))
    return {
        "name": name,
        "generator": f"bench/peers/anomaly_fixtures.py, numpy default_rng({seed}), outliers: {kind}",
        "sklearn": sklearn.__version__,
        "reference": ref.T.tolist(),
        "test": test.T.tolist(),
        "labels": labels.tolist(),
        "ledoitWolf": {
            "location": lw.location_.tolist(),
            "shrinkage": float(lw.shrinkage_),
            "covariance": lw.covariance_.ravel().tolist(),
            "mahalanobis": lw.mahalanobis(test).tolist(),
        },
        "isolationForest": {
            "params": {"n_estimators": 100, "max_samples": 256},
            "aurocMean": float(np.mean(aurocs)),
            "aurocMin": float(np.min(aurocs)),
            "aurocMax": float(np.max(aurocs)),
        },
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed, kind in [("correlated-joint", 11, "joint"), ("correlated-marginal", 12, "marginal"), ("correlated-correlation", 13, "correlation")]:
        data = fixture(name, seed, kind)
        path = os.path.join(OUT, f"{name}.json")
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"))
        print(name, "sklearn iforest auroc %.4f (%.4f..%.4f)" % (data["isolationForest"]["aurocMean"], data["isolationForest"]["aurocMin"], data["isolationForest"]["aurocMax"]), file=sys.stderr)


if __name__ == "__main__":
    main()
