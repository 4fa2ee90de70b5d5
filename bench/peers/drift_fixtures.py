"""Writes the drift-statistics fixtures under test/fixtures/peers/ from seeded data.

Dev script only (the product and its tests are TypeScript; the tests read the JSON this writes).
Needs scipy and numpy; evidently, nannyml and alibi-detect are used where they import, and each
fixture file records the versions that produced it.

    python3 -m venv .venv-peers && .venv-peers/bin/pip install scipy numpy evidently nannyml alibi-detect
    .venv-peers/bin/python bench/peers/drift_fixtures.py
"""
import importlib
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "fixtures", "peers")


def version(name):
    try:
        return importlib.import_module(name).__version__
    except Exception:  # a peer that does not import is recorded as absent
        return None


VERSIONS = {
    "python": sys.version.split()[0],
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "evidently": version("evidently"),
    "nannyml": version("nannyml"),
    "alibi_detect": version("alibi_detect"),
}


def write(name, payload):
    payload = {"generatedBy": "bench/peers/drift_fixtures.py", "versions": VERSIONS, **payload}
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def floats(a):
    return [float(x) for x in a]


def special_fixture():
    chi2 = []
    for df in [1, 2, 3, 5, 9, 31, 100, 999]:
        for x in [0.01, 0.5, 1, 2.5, 7, 15, 40, 120, 600, 1500]:
            chi2.append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
    chi2isf = [{"p": p, "df": df, "isf": float(stats.chi2.isf(p, df))} for df in [1, 4, 9, 31, 99] for p in [0.5, 0.05, 0.01, 1e-4, 5e-7]]
    norm = [{"z": z, "sf": float(stats.norm.sf(z))} for z in [-6, -2.5, -1, -0.1, 0, 0.3, 1, 1.96, 3, 5, 8, 12, 30]]
    gammaln = [{"x": x, "value": float(special.gammaln(x))} for x in [0.1, 0.5, 1, 1.5, 2, 3.7, 10, 25.5, 171, 1000.5, 123456.7]]
    kv = [{"nu": 0.25, "x": x, "value": float(special.kv(0.25, x))} for x in [0.001, 0.03, 0.2, 1, 3.3, 10, 50, 300]]
    kstwo = []
    for n in [1, 3, 10, 50, 140, 141, 400, 909, 1000, 5000, 20000, 150000]:
        for x in [0.001, 0.004, 0.01, 0.02, 0.035, 0.05, 0.08, 0.12, 0.2, 0.35, 0.6, 0.9, 0.999]:
            kstwo.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    smirnov = [{"n": n, "x": x, "sf": float(special.smirnov(n, x))} for n in [2, 7, 60, 500, 3000] for x in [0.01, 0.1, 0.3, 0.55, 0.8]]
    write("special.json", {"chi2Sf": chi2, "chi2Isf": chi2isf, "normalSf": norm, "gammaln": gammaln, "besselK": kv, "kstwoSf": kstwo, "smirnovSf": smirnov})


def ks_fixture(rng):
    cases = []
    specs = [
        ("equal sizes", 60, 60, 0.0, 1.0, None),
        ("equal sizes, shifted", 200, 200, 0.4, 1.0, None),
        ("unequal, null", 300, 170, 0.0, 1.0, None),
        ("unequal, shifted", 500, 120, 0.3, 1.0, None),
        ("unequal, scale", 250, 90, 0.0, 1.6, None),
        ("ties (rounded)", 400, 150, 0.1, 1.0, 1),
        ("heavy ties", 120, 80, 0.0, 1.0, 0),
        ("tiny", 5, 7, 0.5, 1.0, None),
        ("one value", 1, 9, 0.0, 1.0, None),
        ("far apart", 40, 30, 5.0, 1.0, None),
    ]
    for name, n1, n2, shift, scale, decimals in specs:
        a = rng.normal(0, 1, n1)
        b = rng.normal(shift, scale, n2)
        if decimals is not None:
            a = np.round(a, decimals)
            b = np.round(b, decimals)
        for method in ["auto", "asymp"]:
            r = stats.ks_2samp(a, b, method=method)
            cases.append({"name": name, "method": method, "a": floats(a), "b": floats(b), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    # The window shape of the engine: a 10,000-value reference against 1,000-value windows, exact under 'auto'.
    ref = rng.normal(0, 1, 10000)
    windows = []
    for shift in [0.0, 0.05, 0.1]:
        w = rng.normal(shift, 1, 1000)
        r = stats.ks_2samp(ref, w)
        windows.append({"shift": shift, "seed": 0, "b": floats(w), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    # Reference values are rounded to 6 decimals to keep the file small; re-run scipy on the rounded values.
    ref6 = np.array([round(float(x), 6) for x in ref])
    out = []
    for w in windows:
        b6 = np.array([round(x, 6) for x in w["b"]])
        r = stats.ks_2samp(ref6, b6)
        out.append({"shift": w["shift"], "b": floats(b6), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    # Large-sample (asymptotic under 'auto'): statistic and p-value from D and the sizes only.
    big = []
    for n1, n2, d in [(20000, 1000, 0.03), (20000, 1000, 0.06), (15000, 12000, 0.012), (10001, 50, 0.2), (10001, 50, 0.45), (2000000, 1500000, 0.001)]:
        m, n = max(n1, n2), min(n1, n2)
        en = m * n / (m + n)
        big.append({"n1": n1, "n2": n2, "d": d, "pvalue": float(np.clip(stats.kstwo.sf(d, np.round(en)), 0, 1))})
    write("ks.json", {"cases": cases, "reference10k": [float(x) for x in ref6], "windows": out, "asymptotic": big})


def cvm_fixture(rng):
    cases = []
    for name, nx, ny, shift, decimals in [("exact small", 6, 7, 0.5, None), ("exact 20x20", 20, 20, 0.3, None), ("exact 12x18 ties", 12, 18, 0.0, 0),
                                          ("asymptotic null", 200, 150, 0.0, None), ("asymptotic shifted", 300, 100, 0.4, None),
                                          ("asymptotic ties", 250, 250, 0.2, 1), ("asymptotic 21x30", 21, 30, 0.8, None)]:
        x = rng.normal(0, 1, nx)
        y = rng.normal(shift, 1, ny)
        if decimals is not None:
            x = np.round(x, decimals)
            y = np.round(y, decimals)
        r = stats.cramervonmises_2samp(x, y)
        cases.append({"name": name, "x": floats(x), "y": floats(y), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    write("cvm.json", {"cases": cases})


def distances_fixture(rng):
    wass = []
    for name, n1, n2, shift, scale in [("null", 300, 200, 0, 1), ("shift", 250, 100, 0.7, 1), ("scale", 120, 333, 0, 2.5)]:
        a = rng.normal(0, 1, n1)
        b = rng.normal(shift, scale, n2)
        wass.append({"name": name, "a": floats(a), "b": floats(b), "value": float(stats.wasserstein_distance(a, b)), "referenceStd": float(np.std(a))})
    js = []
    for p, q in [([10, 20, 30, 40], [40, 30, 20, 10]), ([5, 0, 5, 90], [0, 10, 10, 80]), ([1, 1, 1], [1, 1, 1]), ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2])]:
        js.append({"p": floats(p), "q": floats(q), "natural": float(distance.jensenshannon(p, q)), "base2": float(distance.jensenshannon(p, q, base=2))})
    sturges = []
    for n1, n2, shift in [(500, 300, 0.3), (1000, 1000, 0.0), (64, 40, 2.0)]:
        a = rng.normal(0, 1, n1)
        b = rng.normal(shift, 1, n2)
        edges = np.histogram_bin_edges(np.concatenate([a, b]), bins="sturges")
        sturges.append({"a": floats(a), "b": floats(b), "edges": floats(edges), "refCounts": floats(np.histogram(a, edges)[0]), "curCounts": floats(np.histogram(b, edges)[0])})
    payload = {"wasserstein": wass, "jensenShannon": js, "sturges": sturges}
    payload["evidently"] = evidently_cases(rng)
    payload["nannyml"] = nannyml_cases(rng)
    write("distances.json", payload)


def evidently_cases(rng):
    try:
        import pandas as pd
        from evidently.legacy.calculations.stattests.hellinger_distance import _hellinger_distance
        from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
        from evidently.legacy.calculations.stattests.psi import _psi
        from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm
        from evidently.legacy.core import ColumnType
    except Exception as error:  # recorded, not hidden
        return {"unavailable": str(error)}
    cases = []
    for n1, n2, shift in [(600, 400, 0.25), (800, 500, 0.0), (300, 300, 1.0)]:
        a = rng.normal(0, 1, n1)
        b = rng.normal(shift, 1, n2)
        ra, rb = pd.Series(a), pd.Series(b)
        cases.append({
            "a": floats(a), "b": floats(b),
            "psi": float(_psi(ra.copy(), rb.copy(), ColumnType.Numerical, 0.1)[0]),
            "jensenshannon": float(_jensenshannon(ra.copy(), rb.copy(), ColumnType.Numerical, 0.1)[0]),
            "wassersteinNorm": float(_wasserstein_distance_norm(ra.copy(), rb.copy(), ColumnType.Numerical, 0.1)[0]),
            "hellinger": float(_hellinger_distance(ra.copy(), rb.copy(), ColumnType.Numerical, 0.1)[0]),
        })
    return {"cases": cases}


def nannyml_cases(rng):
    try:
        import pandas as pd
        from nannyml.drift.univariate.methods import ContinuousJensenShannonDistance
    except Exception as error:
        return {"unavailable": str(error)}
    a = rng.normal(0, 1, 1000)
    b = rng.normal(0.3, 1.2, 500)
    from nannyml.chunk import SizeBasedChunker
    from nannyml.thresholds import ConstantThreshold
    method = ContinuousJensenShannonDistance(chunker=SizeBasedChunker(chunk_size=500), threshold=ConstantThreshold(upper=0.1))
    method.fit(pd.Series(a, name="x"))
    value = float(method._calculate(pd.Series(b, name="x")))
    edges = np.histogram_bin_edges(a, bins="doane")
    ref = np.histogram(a, edges)[0] / len(a)
    cur = np.histogram(b, edges)[0] / len(b)
    leftover = 1 - cur.sum()
    if leftover > 0:
        cur = np.append(cur, leftover)
        ref = np.append(ref, 0)
    return {"jensenShannon": {"reference": floats(ref), "current": floats(cur), "value": value, "binning": "doane bins of the reference, one extra bin for out-of-range current values, base 2"}}


def categorical_fixture(rng):
    chi = []
    for ref, cur in [([50, 30, 20], [45, 35, 20]), ([500, 300, 200, 0], [40, 30, 20, 10]), ([100, 100], [130, 70]), ([7, 0, 3, 90], [1, 2, 0, 50])]:
        table = np.array([ref, cur])
        table = table[:, table.sum(axis=0) > 0]
        stat, p, dof, _ = stats.chi2_contingency(table, correction=False)
        yates = stats.chi2_contingency(table, correction=True)
        chi.append({"ref": floats(ref), "cur": floats(cur), "statistic": float(stat), "pvalue": float(p), "dof": int(dof), "scipyDefaultPvalue": float(yates[1])})
    z = []
    for k1, n1, k2, n2 in [(30, 100, 45, 100), (500, 1000, 520, 1000), (3, 400, 20, 300), (0, 50, 0, 60)]:
        p1, p2 = k1 / n1, k2 / n2
        P = (p1 * n1 + p2 * n2) / (n1 + n2)
        se = math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2))
        zz = (p1 - p2) / se if se > 0 else 0.0
        z.append({"k1": k1, "n1": n1, "k2": k2, "n2": n2, "z": zz, "pvalue": float(2 * stats.norm.sf(abs(zz))) if se > 0 else 1.0})
    evid = {}
    try:
        import pandas as pd
        from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test
        from evidently.legacy.calculations.stattests.z_stattest import _z_stat_test
        from evidently.legacy.core import ColumnType
        ref = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 20)
        cur = pd.Series(["a"] * 45 + ["b"] * 35 + ["c"] * 20)
        evid["chisquare"] = {"ref": [50, 30, 20], "cur": [45, 35, 20], "pvalue": float(_chi_stat_test(ref, cur, ColumnType.Categorical, 0.05)[0]),
                             "definition": "goodness of fit of current counts against reference frequencies scaled to the current size"}
        zr = pd.Series([0] * 70 + [1] * 30)
        zc = pd.Series([0] * 55 + [1] * 45)
        evid["z"] = {"k1": 30, "n1": 100, "k2": 45, "n2": 100, "pvalue": float(_z_stat_test(zr, zc, ColumnType.Categorical, 0.05)[0])}
    except Exception as error:
        evid = {"unavailable": str(error)}
    write("categorical.json", {"chiSquare": chi, "zTest": z, "evidently": evid})


def alibi_fixture(rng):
    try:
        from alibi_detect.cd import KSDrift
    except Exception as error:
        write("alibi.json", {"unavailable": str(error)})
        return
    ref = rng.normal(0, 1, (400, 3))
    cur = rng.normal(0, 1, (150, 3))
    cur[:, 1] += 0.4
    cd = KSDrift(ref, p_val=0.05, correction="bonferroni")
    preds = cd.predict(cur, return_p_val=True, return_distance=True)
    write("alibi.json", {"reference": [floats(ref[:, f]) for f in range(3)], "current": [floats(cur[:, f]) for f in range(3)],
                         "pValues": floats(preds["data"]["p_val"]), "distances": floats(preds["data"]["distance"]),
                         "isDrift": int(preds["data"]["is_drift"]), "threshold": float(preds["data"]["threshold"]),
                         "definition": "ks_2samp(mode='asymp') per feature, Bonferroni over features"})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261126)
    special_fixture()
    ks_fixture(rng)
    cvm_fixture(rng)
    distances_fixture(rng)
    categorical_fixture(rng)
    alibi_fixture(rng)
