"""statsmodels side of bench/analysis/model4.ts: Model 4 on an analysis-rows CSV.

Does what the authors' pipeline does: pandas read_csv, formula GLM (binomial,
IRLS, non-robust), and the fine-tuning AME per belief group by counterfactual
prediction. Prints one JSON line with phase timings and peak RSS.
Usage: /usr/bin/python3 scripts/reference/bench_model4.py <rows.csv>
"""

import json
import resource
import sys
import time

t0 = time.perf_counter()
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402

t_import = time.perf_counter()
df = pd.read_csv(sys.argv[1])
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
