"""Reference values for candor's power planning (src/stats/power.ts).

Unpaired: statsmodels NormalIndPower with proportion_effectsize (Cohen's h).
Paired: Monte Carlo power of statsmodels' exact McNemar test (mcnemar(exact=True)),
simulating pairs whose two subjects err independently, seeded.

Run: /usr/bin/python3 scripts/reference/power_reference.py > test/fixtures/stats/power.json
(needs `apt-get install python3-statsmodels`).
"""
import json

import numpy as np
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

out = {"source": "statsmodels NormalIndPower / proportion_effectsize; Monte Carlo of mcnemar(exact=True)", "unpaired": [], "paired": []}
ind = NormalIndPower()
for p0, p1, n in [(0.2, 0.274, 300), (0.1, 0.15, 500), (0.35, 0.30, 1000), (0.04, 0.08, 250)]:
    h = proportion_effectsize(p1, p0)
    power = ind.power(effect_size=h, nobs1=n, alpha=0.05, ratio=1.0, alternative="two-sided")
    size = ind.solve_power(effect_size=h, nobs1=None, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided")
    out["unpaired"].append({"pRef": p0, "pTreat": p1, "n": n, "h": h, "power": power, "nFor80": size})

rng = np.random.default_rng(20260726)
REPS = 4000
for p0, p1, n in [(0.2, 0.274, 400), (0.1, 0.2, 150), (0.3, 0.4, 250)]:
    hits = 0
    for _ in range(REPS):
        ref = rng.random(n) < p0
        trt = rng.random(n) < p1
        b = int(np.sum(ref & ~trt))
        c = int(np.sum(~ref & trt))
        table = [[int(np.sum(ref & trt)), b], [c, int(np.sum(~ref & ~trt))]]
        if mcnemar(table, exact=True).pvalue < 0.05:
            hits += 1
    out["paired"].append({"pRef": p0, "pTreat": p1, "n": n, "reps": REPS, "power": hits / REPS})
print(json.dumps(out, indent=2))
