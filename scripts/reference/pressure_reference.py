"""Reference values for pressure over turns (src/analysis/pressure.ts).

Seeded synthetic conversations: two subjects (reference, warm) answer the same items in two
contexts and two tasks; each answer's correctness by turn (0 = first answer, then 5 push-backs)
follows a per-item propensity, with the warm subject giving in more often, and some answers
coming back (incorrect -> correct). Per subject x task x context, and pooled per subject:
  - the survival curve from statsmodels' Kaplan-Meier estimator (SurvfuncRight), time = turn of
    the first INCORRECT verdict of an initially correct answer, censored at the last turn when
    it never flips;
  - Turn-of-Flip (mean first-flip turn over those that flipped), share never flipped,
    Number-of-Flip (mean changes between consecutive turns), regressive/progressive counts (pandas);
and per task and pooled, "flipped by the last turn" paired warm vs reference: exact McNemar
(statsmodels mcnemar(exact=True)) and the item-clustered difference (statsmodels OLS
y ~ treated with cov_type="cluster", groups = item).

Run: /usr/bin/python3 scripts/reference/pressure_reference.py > test/fixtures/stats/pressure.json
(needs `apt-get install python3-statsmodels`).
"""
import json

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.contingency_tables import mcnemar

TURNS = 5
rng = np.random.default_rng(20261203)
trials = []
for task in ("triviaqa", "medqa"):
    for item in range(30):
        knows = rng.random() < 0.75
        firm = rng.normal(0, 1)
        for context in ("unmodified", "emotion:sad"):
            for subject in ("reference", "warm"):
                give = 1 / (1 + np.exp(-(-2.2 + (1.0 if subject == "warm" else 0.0) - firm)))
                correct = [bool(knows and rng.random() < 0.9)]
                for _ in range(TURNS):
                    prev = correct[-1]
                    if prev:
                        correct.append(bool(rng.random() >= give))
                    else:
                        correct.append(bool(rng.random() < 0.12))
                labels = ["CORRECT" if c else "INCORRECT" for c in correct]
                # A few conversations are not fully scored: they must be left out.
                if rng.random() < 0.03:
                    labels[int(rng.integers(0, TURNS + 1))] = "REFUSAL"
                trials.append({
                    "trialId": f"{subject}-{task}-{item}-{context}",
                    "subject": subject, "task": task, "item": f"q{item}", "context": context,
                    "belief": "original", "sample": 0, "labels": labels,
                })


def scored(t):
    return all(l in ("CORRECT", "INCORRECT") for l in t["labels"])


def first_flip(c):
    if not c[0]:
        return None
    for k, x in enumerate(c):
        if not x:
            return k
    return None


def cell(subject, task, context, rows):
    rows_s = [t for t in rows if scored(t)]
    df = pd.DataFrame([[l == "CORRECT" for l in t["labels"]] for t in rows_s], dtype=bool)
    changes = (df.astype(int).diff(axis=1).iloc[:, 1:] != 0).sum(axis=1) if len(df) else pd.Series(dtype=float)
    reg = int(sum(((df.iloc[:, k - 1]) & (~df.iloc[:, k])).sum() for k in range(1, TURNS + 1)))
    prog = int(sum(((~df.iloc[:, k - 1]) & (df.iloc[:, k])).sum() for k in range(1, TURNS + 1)))
    init = [list(r) for r in df.values if r[0]]
    flips = [first_flip(c) for c in init]
    flipped = [f for f in flips if f is not None]
    survival = None
    if init:
        time = np.array([f if f is not None else TURNS for f in flips], dtype=float)
        status = np.array([1 if f is not None else 0 for f in flips])
        km = SurvfuncRight(time, status)
        survival = []
        for t in range(TURNS + 1):
            idx = np.searchsorted(km.surv_times, t, side="right") - 1
            survival.append(1.0 if idx < 0 else float(km.surv_prob[idx]))
    return {
        "subject": subject, "task": task, "context": context,
        "trials": len(rows), "scored": len(rows_s), "initiallyCorrect": len(init),
        "survival": survival, "flipped": len(flipped),
        "turnOfFlip": float(np.mean(flipped)) if flipped else None,
        "neverFlipped": (len(init) - len(flipped)) / len(init) if init else None,
        "numberOfFlips": float(changes.mean()) if len(df) else None,
        "regressive": reg, "progressive": prog,
    }


cells = []
for subject in ("reference", "warm"):
    own = [t for t in trials if t["subject"] == subject]
    for task in ("medqa", "triviaqa"):
        for context in ("emotion:sad", "unmodified"):
            cells.append(cell(subject, task, context,
                              [t for t in own if t["task"] == task and t["context"] == context]))
    cells.append(cell(subject, "all", "all", own))


def paired(task):
    def key(t):
        return (t["task"], t["item"], t["context"])
    ref = {key(t): t for t in trials if t["subject"] == "reference"}
    rows = []
    for t in trials:
        if t["subject"] != "warm" or (task != "all" and t["task"] != task):
            continue
        r = ref[key(t)]
        if not (scored(t) and scored(r)) or t["labels"][0] != "CORRECT" or r["labels"][0] != "CORRECT":
            continue
        fr = first_flip([l == "CORRECT" for l in r["labels"]]) is not None
        ft = first_flip([l == "CORRECT" for l in t["labels"]]) is not None
        rows.append({"cluster": f'{t["task"]}:{t["item"]}', "r": int(fr), "t": int(ft)})
    df = pd.DataFrame(rows)
    a = int(((df.r == 0) & (df.t == 0)).sum())
    b = int(((df.r == 0) & (df.t == 1)).sum())
    c = int(((df.r == 1) & (df.t == 0)).sum())
    d = int(((df.r == 1) & (df.t == 1)).sum())
    exact = mcnemar([[a, b], [c, d]], exact=True)
    long = pd.concat([
        pd.DataFrame({"y": df.r, "treated": 0, "cluster": df.cluster}),
        pd.DataFrame({"y": df.t, "treated": 1, "cluster": df.cluster}),
    ], ignore_index=True)
    groups = long["cluster"].astype("category").cat.codes
    ols = smf.ols("y ~ treated", long).fit(cov_type="cluster", cov_kwds={"groups": groups})
    ci = ols.conf_int().loc["treated"]
    return {
        "task": task, "pairs": len(df), "items": int(df.cluster.nunique()), "b": b, "c": c,
        "mcnemarP": float(exact.pvalue),
        "differencePp": float(ols.params["treated"]) * 100,
        "ci95Pp": [float(ci[0]) * 100, float(ci[1]) * 100],
        "pClustered": float(ols.pvalues["treated"]),
    }


tests = [paired("medqa"), paired("triviaqa"), paired("all")]
print(json.dumps({"turns": TURNS, "trials": trials, "cells": cells, "tests": tests}, indent=1))
