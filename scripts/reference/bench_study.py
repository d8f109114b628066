"""statsmodels side of bench/analysis/study.ts: Model 4 from a study-layout folder.

What the authors' pipeline does end to end: pandas read_csv of every
<model>/<variant>/<task>_<variant>_outputs.csv, dedup and the refusal phrase rule
(fit_reference.load_study_dir), formula GLM, fine-tuning AME per belief group.
Usage: /usr/bin/python3 scripts/reference/bench_study.py <study dir>
"""

import json
import os
import resource
import sys
import time

t0 = time.perf_counter()
sys.path.insert(0, os.path.dirname(__file__))
import statsmodels.api as sm  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402
from fit_reference import load_study_dir  # noqa: E402

t_import = time.perf_counter()
df, _report = load_study_dir(sys.argv[1])
t_load = time.perf_counter()
FT = "C(is_finetuned, Treatment(reference=0))"
formula = (
    f"is_incorrect ~ {FT} + C(amendment_group, Treatment(reference='unmodified'))"
    f" + C(dataset, Treatment(reference='disinfo')) + C(model)"
    f" + {FT}:C(prompt_group, Treatment(reference='original'))"
)
res = smf.glm(formula, data=df, family=sm.families.Binomial()).fit()
t_fit = time.perf_counter()
ames = {}
for group in ("original", "user_opinion"):
    sub = df[df.prompt_group == group]
    d1 = sub.copy()
    d1["is_finetuned"] = 1
    d0 = sub.copy()
    d0["is_finetuned"] = 0
    ames[group] = float((res.predict(d1) - res.predict(d0)).mean())
t_ame = time.perf_counter()
print(json.dumps({
    "rows": len(df),
    "ftCoef": float(res.params.iloc[1]),
    "ftSe": float(res.bse.iloc[1]),
    "ame": ames,
    "seconds": {"import": t_import - t0, "load": t_load - t_import, "fit": t_fit - t_load,
                "ame": t_ame - t_fit, "work": t_ame - t_import},
    "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
