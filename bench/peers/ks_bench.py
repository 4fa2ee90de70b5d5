"""Times the peers on the drift-stats benchmark's data (called by bench/drift-stats.bench.ts).

Usage: python ks_bench.py DATA_FILE REF_ROWS FEATURES WINDOWS WINDOW_ROWS
DATA_FILE holds float64 little-endian values: the reference (REF_ROWS x FEATURES, row-major), then
WINDOWS windows of WINDOW_ROWS x FEATURES. Prints one JSON object: per-window wall and CPU (process_time) seconds of Alibi
Detect's KSDrift.predict (if it imports), of a scipy.stats.ks_2samp loop with method 'asymp' (what
KSDrift runs) and with method 'auto' (exact at these sizes, what Vigil's ks runs), and the versions.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.stats import ks_2samp


def main():
    path, ref_rows, features, windows, window_rows = sys.argv[1], *map(int, sys.argv[2:6])
    data = np.fromfile(path, dtype="<f8")
    ref = data[: ref_rows * features].reshape(ref_rows, features)
    rest = data[ref_rows * features:].reshape(windows, window_rows, features)
    out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__}}

    cpu = {}

    def per_window(fn, name=None):
        fn(rest[0])  # warm-up
        start = time.perf_counter()
        cpu_start = time.process_time()
        for w in range(windows):
            fn(rest[w])
        if name:
            cpu[name] = (time.process_time() - cpu_start) / windows
        return (time.perf_counter() - start) / windows

    try:
        import alibi_detect
        from alibi_detect.cd import KSDrift

        out["versions"]["alibi_detect"] = alibi_detect.__version__
        detector = KSDrift(ref, p_val=0.05)
        out["alibiKsDriftSecondsPerWindow"] = per_window(lambda x: detector.predict(x), "alibiKsDriftCpuSecondsPerWindow")
        out["alibiPValuesWindow0"] = [float(p) for p in detector.predict(rest[0])["data"]["p_val"][:5]]
    except Exception as error:  # recorded in the result, not hidden
        out["alibiUnavailable"] = str(error)

    out["scipyAsympSecondsPerWindow"] = per_window(lambda x: [ks_2samp(ref[:, f], x[:, f], method="asymp") for f in range(features)], "scipyAsympCpuSecondsPerWindow")
    out["scipyAutoSecondsPerWindow"] = per_window(lambda x: [ks_2samp(ref[:, f], x[:, f], method="auto") for f in range(features)], "scipyAutoCpuSecondsPerWindow")
    out.update(cpu)
    out["scipyAutoPValuesWindow0"] = [float(ks_2samp(ref[:, f], rest[0][:, f]).pvalue) for f in range(5)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
