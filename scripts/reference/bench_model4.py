"""statsmodels side of bench/analysis/model4.ts: Model 4 on an analysis-rows CSV.

Does what the authors' pipeline does: pandas read_csv, then Model 4 and its
AMEs (bench_common.fit_and_print).
Usage: /usr/bin/python3 scripts/reference/bench_model4.py <rows.csv>
"""

import os
import sys
import time

t0 = time.perf_counter()
sys.path.insert(0, os.path.dirname(__file__))
import pandas as pd  # noqa: E402
from bench_common import fit_and_print  # noqa: E402

t_import = time.perf_counter()
df = pd.read_csv(sys.argv[1])
t_load = time.perf_counter()
fit_and_print(df, t0, t_import, t_load)
