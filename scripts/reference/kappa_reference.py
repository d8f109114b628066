"""Reference values for candor's Cohen's kappa (src/judge/agreement.ts), from statsmodels.

candor clips the interval to [-1, 1] (statsmodels does not); the test compares the clipped bounds.

Run: /usr/bin/python3 scripts/reference/kappa_reference.py > test/fixtures/judge/kappa.json
(needs `apt-get install python3-statsmodels`).
"""
import json

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa

TABLES = [
    [[40, 5], [8, 47]],
    [[90, 3], [2, 5]],
    [[10, 10], [10, 10]],
    [[12, 0, 1], [2, 30, 3], [0, 4, 18]],
    [[50, 0], [0, 50]],
    # Small samples where the Wald interval leaves [-1, 1]: candor clips it to the bounds.
    [[9, 1], [0, 2]],
    [[0, 4], [3, 1]],
]

out = []
for t in TABLES:
    r = cohens_kappa(np.array(t, dtype=float))
    out.append({
        "table": t,
        "kappa": r.kappa,
        "se": r.std_kappa,
        "se0": r.std_kappa0,
        "lower": r.kappa_low,
        "upper": r.kappa_upp,
    })
print(json.dumps({"source": "statsmodels.stats.inter_rater.cohens_kappa", "cases": out}, indent=2))
