"""
Reference values for src/analysis/language-model.ts (language × treatment, issue #15) and
src/stats/chi2.ts: statsmodels' formula GLM (Binomial) of
    is_incorrect ~ C(is_finetuned, Treatment(reference=0)) * C(language, Treatment(reference='en'))
on deterministic synthetic per-item cells (three languages, two arms, 30 items), with non-robust
and item-clustered covariances, the joint Wald test of the interaction (wald_test, scalar), and
scipy's chi2.sf at a few points. The cells themselves are written into the fixture, so the
TypeScript test fits exactly these data.

    /usr/bin/python3 scripts/reference/language_reference.py
writes test/fixtures/stats/language-model.json.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.stats import chi2

OUT = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "stats" / "language-model.json"

# Error probability per language and arm: warmth costs more in 'de' and less in 'ar'.
P = {("en", 0): 0.20, ("en", 1): 0.30, ("de", 0): 0.22, ("de", 1): 0.42, ("ar", 0): 0.25, ("ar", 1): 0.28}


def lcg(seed):
    state = seed & 0xFFFFFFFF
    while True:
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        yield state / 2**32


def cells():
    rnd = lcg(20260728)
    out = []
    for item in range(30):
        # An item effect, so clustering by item matters.
        shift = (next(rnd) - 0.5) * 0.3
        for language in ["en", "de", "ar"]:
            for treated in (0, 1):
                count = 4 + int(next(rnd) * 5)
                p = min(max(P[(language, treated)] + shift, 0.02), 0.98)
                incorrect = sum(1 for _ in range(count) if next(rnd) < p)
                out.append(
                    {"language": language, "treated": treated, "item": f"triviaqa/q{item}",
                     "count": count, "incorrect": incorrect}
                )
    return out


def main():
    data = cells()
    rows = []
    for c in data:
        for k in range(c["count"]):
            rows.append({"language": c["language"], "is_finetuned": c["treated"], "item": c["item"],
                         "is_incorrect": 1 if k < c["incorrect"] else 0})
    df = pd.DataFrame(rows)
    formula = (
        "is_incorrect ~ C(is_finetuned, Treatment(reference=0))"
        " * C(language, Treatment(reference='en'))"
    )
    res = smf.glm(formula, data=df, family=sm.families.Binomial()).fit()
    groups = pd.factorize(df["item"])[0]
    res_cl = smf.glm(formula, data=df, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    names = list(res.params.index)
    inter = [i for i, n in enumerate(names) if ":" in n]
    R = np.zeros((len(inter), len(names)))
    for r, i in enumerate(inter):
        R[r, i] = 1.0
    w = res.wald_test(R, scalar=True)
    w_cl = res_cl.wald_test(R, scalar=True)
    out = {
        "formula": formula,
        "cells": data,
        "nobs": int(res.nobs),
        "names": names,
        "params": [float(v) for v in res.params],
        "bse": [float(v) for v in res.bse],
        "bseCluster": [float(v) for v in res_cl.bse],
        "interaction": {
            "terms": [names[i] for i in inter],
            "chi2": float(w.statistic),
            "p": float(w.pvalue),
            "df": len(inter),
            "chi2Cluster": float(w_cl.statistic),
            "pCluster": float(w_cl.pvalue),
        },
        "chi2Sf": [
            {"x": x, "df": k, "sf": float(chi2.sf(x, k))}
            for x, k in [(0.5, 1), (3.84, 1), (10.0, 2), (2.0, 3), (25.0, 4), (0.01, 5), (60.0, 7)]
        ],
    }
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
