"""What scripts/reference/bench_model4.py and bench_study.py share: the study's
Model 4 (formula GLM, binomial, IRLS, non-robust) on a loaded frame, the
fine-tuning AME per belief group by counterfactual prediction, and the JSON
line bench/analysis/common.ts reads (phase timings, CPU seconds, peak RSS).
"""

import json
import resource
import time

import statsmodels.api as sm
import statsmodels.formula.api as smf

FT = "C(is_finetuned, Treatment(reference=0))"
FORMULA = (
    f"is_incorrect ~ {FT} + C(amendment_group, Treatment(reference='unmodified'))"
    f" + C(dataset, Treatment(reference='disinfo')) + C(model)"
    f" + {FT}:C(prompt_group, Treatment(reference='original'))"
)


def fit_and_print(df, t0, t_import, t_load):
    """Fits Model 4 on df and prints one JSON line; t0/t_import/t_load are perf_counter marks."""
    res = smf.glm(FORMULA, data=df, family=sm.families.Binomial()).fit()
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
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "rows": len(df),
        "ftCoef": float(res.params.iloc[1]),
        "ftSe": float(res.bse.iloc[1]),
        "ame": ames,
        "seconds": {"import": t_import - t0, "load": t_load - t_import, "fit": t_fit - t_load,
                    "ame": t_ame - t_fit, "work": t_ame - t_import},
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxRssMb": usage.ru_maxrss / 1024,
    }))
