"""Reference values for candor's item-clustered mean CI (src/stats/clustered-mean.ts).

statsmodels OLS of y on a constant with cov_type="cluster" (groups = item): the mean,
its cluster-robust SE (statsmodels' default small-sample correction) and the normal 95% CI.
Writes test/fixtures/stats/clustered-mean.json.

    /usr/bin/python3 scripts/reference/clustered_mean_reference.py
"""
import json
import os

import numpy as np
import statsmodels.api as sm

rng = np.random.default_rng(20250728)
cases = []
for n_clusters, per, values in [(12, 3, (-1, 0, 1)), (40, 8, (-2, -1, 0, 1, 2)), (5, 1, (0, 1))]:
    groups = np.repeat(np.arange(n_clusters), per)
    # Cluster effects make within-item values correlated, as paired gaps are.
    shift = rng.choice([-1, 0, 1], size=n_clusters)[groups]
    y = np.clip(rng.choice(values, size=groups.size) + shift, min(values), max(values)).astype(float)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    lo, hi = fit.conf_int(alpha=0.05)[0]
    cases.append(
        {
            "values": y.tolist(),
            "clusters": groups.tolist(),
            "mean": float(fit.params[0]),
            "se": float(fit.bse[0]),
            "ci95": [float(lo), float(hi)],
        }
    )

out = os.path.join(os.path.dirname(__file__), "../../test/fixtures/stats/clustered-mean.json")
with open(out, "w") as f:
    json.dump({"generator": "statsmodels OLS cov_type=cluster", "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases")
