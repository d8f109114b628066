"""Quasi-separated reference fit for candor's GLM (test/stats/separation.test.ts).

Two factors g (a, b, c) and h (x, y, z) with main effects only. Every g=c row
outside h=z is a success and every h=z row outside g=c is a failure, while the
(c, z) cell and the four a/b × x/y cells are mixed. No single indicator column
has one outcome, yet the direction C(g)[T.c] - C(h)[T.z] separates the data
(quasi-complete separation): the MLE does not exist and those two coefficients
diverge, while Intercept, C(g)[T.b] and C(h)[T.y] (and the sum T.c + T.z) stay
identified. statsmodels stops when the deviance change falls below 1e-8.

Run: /usr/bin/python3 scripts/reference/separation_reference.py
Writes test/fixtures/stats/separation-quasi.json.
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

# (g, h, rows, successes)
CELLS = [
    ("a", "x", 40, 12), ("a", "y", 40, 19), ("b", "x", 40, 22), ("b", "y", 40, 27),
    ("c", "x", 30, 30), ("c", "y", 30, 30), ("c", "z", 40, 17),
    ("a", "z", 30, 0), ("b", "z", 30, 0),
]

rows = []
for g, h, n, k in CELLS:
    rows += [{"g": g, "h": h, "y": 1}] * k + [{"g": g, "h": h, "y": 0}] * (n - k)
df = pd.DataFrame(rows)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    res = smf.glm("y ~ C(g) + C(h)", data=df, family=sm.families.Binomial()).fit()
cell_df = pd.DataFrame([{"g": g, "h": h} for g, h, _, _ in CELLS])
mu = res.predict(cell_df)
out = {
    "formula": "y ~ C(g) + C(h)",
    "cells": [{"g": g, "h": h, "n": n, "k": k} for g, h, n, k in CELLS],
    "nobs": int(res.nobs),
    "names": list(res.params.index),
    "params": [float(v) for v in res.params],
    "bse": [float(v) if np.isfinite(v) else None for v in res.bse],
    "llf": float(res.llf),
    "deviance": float(res.deviance),
    "iterations": int(res.fit_history["iteration"]),
    "converged": bool(res.converged),
    "mu": [float(v) for v in mu],
    # identified combination of the diverging pair
    "sumTcTz": float(res.params["C(g)[T.c]"] + res.params["C(h)[T.z]"]),
    "warnings": sorted({type(w.message).__name__ for w in caught}),
}
path = os.path.join(os.path.dirname(__file__), "../../test/fixtures/stats/separation-quasi.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps({k: out[k] for k in ("names", "params", "bse", "iterations", "converged", "warnings")}, indent=1))
