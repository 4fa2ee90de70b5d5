"""Performance metrics from scikit-learn on seeded data, as a JSON fixture for workers/kernels/metrics.ts.

Usage: python3 bench/peers/perf_fixtures.py [out_file]   (pip install scikit-learn numpy)
       python3 bench/peers/perf_fixtures.py --cbpe out_file   (pip install nannyml; CBPE fixture)
Rows with an absent label (-1) are removed before calling sklearn: the kernels skip them.
"""
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error, roc_auc_score

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "test/fixtures/peers/streams/perf/sklearn-metrics.json"


def case(name, rng, n, classes, score_decimals, absent):
    truth = rng.integers(0, classes, n)
    noisy = np.where(rng.random(n) < 0.7, truth, rng.integers(0, classes, n))
    pred = noisy.copy()
    t = truth.copy()
    t[rng.random(n) < absent] = -1
    keep = t >= 0
    out = {"name": name, "classes": int(classes), "truth": t.tolist(), "predicted": pred.tolist()}
    out["accuracy"] = accuracy_score(t[keep], pred[keep])
    out["f1Macro"] = f1_score(t[keep], pred[keep], average="macro")
    if classes == 2:
        out["f1Binary"] = f1_score(t[keep], pred[keep])
        score = np.clip(0.35 * truth + rng.normal(0.3, 0.25, n), 0, 1)
        if score_decimals is not None:
            score = np.round(score, score_decimals)
        out["scores"] = score.tolist()
        out["rocAuc"] = roc_auc_score(t[keep], score[keep])
    y = rng.normal(10, 3, n)
    yhat = y + rng.normal(0, 1.5, n)
    out["regressionTruth"] = y.tolist()
    out["regressionPredicted"] = yhat.tolist()
    out["mae"] = mean_absolute_error(y, yhat)
    out["rmse"] = float(np.sqrt(mean_squared_error(y, yhat)))
    return out


def main():
    rng = np.random.default_rng(5)
    cases = [
        case("binary-continuous", rng, 400, 2, None, 0.0),
        case("binary-ties", rng, 500, 2, 1, 0.1),
        case("binary-heavy-ties", rng, 300, 2, 0, 0.0),
        case("three-classes", rng, 600, 3, None, 0.05),
        case("seven-classes-small", rng, 40, 7, None, 0.0),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, separators=(",", ":")) + "\n")
    print(OUT, [(c["name"], c.get("rocAuc"), c["f1Macro"]) for c in cases])


if __name__ == "__main__" and "--cbpe" not in sys.argv:
    main()


def cbpe_fixture(out_file):
    """NannyML CBPE's estimated accuracy per chunk (binary, isotonic calibration), when nannyml imports."""
    import nannyml
    import pandas as pd

    rng = np.random.default_rng(23)

    def frame(n, a, b):
        q = rng.beta(a, b, n)  # the true probability of class 1
        y = (rng.random(n) < q).astype(int)
        logit = np.log(q / (1 - q))
        p = np.round(1 / (1 + np.exp(-2.5 * logit)), 6)  # over-confident scores: calibration helps
        return pd.DataFrame({"p": p, "y_pred": (p >= 0.5).astype(int), "y_true": y})

    reference = frame(3000, 2, 2)
    analysis = pd.concat([frame(1500, 2, 2), frame(1500, 1, 3)], ignore_index=True)
    cbpe = nannyml.CBPE(y_pred_proba="p", y_pred="y_pred", y_true="y_true", problem_type="classification_binary", metrics=["accuracy"], chunk_size=500)
    cbpe.fit(reference)
    result = cbpe.estimate(analysis.drop(columns=["y_true"])).filter(period="analysis").to_df()
    estimates = result[("accuracy", "value")].tolist()
    out = {
        "nannyml": nannyml.__version__,
        "chunkSize": 500,
        "needsCalibration": bool(cbpe.needs_calibration),
        "reference": {"p": reference.p.tolist(), "yPred": reference.y_pred.tolist(), "yTrue": reference.y_true.tolist()},
        "analysis": {"p": analysis.p.tolist(), "yPred": analysis.y_pred.tolist(), "yTrue": analysis.y_true.tolist()},
        "estimatedAccuracy": estimates,
        "realizedAccuracy": [float((c.y_pred == c.y_true).mean()) for _, c in analysis.groupby(analysis.index // 500)],
    }
    Path(out_file).write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(out_file, out["needsCalibration"], estimates)


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--cbpe":
    cbpe_fixture(sys.argv[2])
