"""statsmodels side of bench/analysis/study.ts: Model 4 from a study-layout folder.

What the authors' pipeline does end to end: pandas read_csv of every
<model>/<variant>/<task>_<variant>_outputs.csv, dedup and the refusal phrase rule
(fit_reference.load_study_dir), then Model 4 and its AMEs (bench_common.fit_and_print).
Usage: /usr/bin/python3 scripts/reference/bench_study.py <study dir>
"""

import os
import sys
import time

t0 = time.perf_counter()
sys.path.insert(0, os.path.dirname(__file__))
from bench_common import fit_and_print  # noqa: E402
from fit_reference import load_study_dir  # noqa: E402

t_import = time.perf_counter()
df, _report = load_study_dir(sys.argv[1])
t_load = time.perf_counter()
fit_and_print(df, t0, t_import, t_load)
