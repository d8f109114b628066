"""Reference values for candor's clustered inference (src/stats/clustered.ts).

Synthetic per-response data with item effects (seeded), in several scenarios:
clusters of unequal size, clusters where one arm has no scored response, few clusters.
For each: statsmodels OLS `y ~ treated` with cov_type="cluster" (groups = item),
statsmodels Logit `y ~ treated` with cov_type="cluster" and its average marginal
effect (get_margeff, dummy=True), and the one-way ANOVA sums of squares from
anova_lm(ols("y ~ C(item)")) turned into the ANOVA intra-cluster correlation.

Run: /usr/bin/python3 scripts/reference/clustered_reference.py > test/fixtures/stats/clustered.json
(needs `apt-get install python3-statsmodels`).
"""
import json

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm


def scenario(name, seed, items, size_lo, size_hi, effect, item_sd, drop_arm=0.0):
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(items):
        u = rng.normal(0, item_sd)
        for arm in (0, 1):
            if drop_arm and rng.random() < drop_arm:
                continue
            m = int(rng.integers(size_lo, size_hi + 1))
            p = 1 / (1 + np.exp(-(-1.2 + u + effect * arm)))
            for _ in range(m):
                rows.append({"item": g, "treated": arm, "y": int(rng.random() < p)})
    df = pd.DataFrame(rows)
    ols = smf.ols("y ~ treated", df).fit(cov_type="cluster", cov_kwds={"groups": df["item"]})
    logit = smf.logit("y ~ treated", df).fit(disp=0, cov_type="cluster", cov_kwds={"groups": df["item"]})
    me = logit.get_margeff(at="overall", dummy=True)
    ci = ols.conf_int().loc["treated"]
    clusters = []
    for g, sub in df.groupby("item"):
        r = sub[sub.treated == 0]
        t = sub[sub.treated == 1]
        clusters.append({
            "referenceN": int(len(r)), "referenceErrors": int(r.y.sum()),
            "treatmentN": int(len(t)), "treatmentErrors": int(t.y.sum()),
        })
    ref = df[df.treated == 0]
    aov = anova_lm(smf.ols("y ~ C(item)", ref).fit())
    G = ref["item"].nunique()
    N = len(ref)
    sizes = ref.groupby("item").size().values
    n0 = (N - (sizes ** 2).sum() / N) / (G - 1)
    msb = aov.loc["C(item)", "mean_sq"]
    msw = aov.loc["Residual", "mean_sq"]
    icc = (msb - msw) / (msb + (n0 - 1) * msw)
    return {
        "name": name,
        "clusters": clusters,
        "ols": {"estimate": float(ols.params["treated"]), "se": float(ols.bse["treated"]),
                "p": float(ols.pvalues["treated"]), "ciLower": float(ci[0]), "ciUpper": float(ci[1]),
                "naiveSe": float(np.sqrt(df[df.treated == 1].y.mean() * (1 - df[df.treated == 1].y.mean()) / (df.treated == 1).sum()
                                         + ref.y.mean() * (1 - ref.y.mean()) / len(ref)))},
        "logitAme": {"estimate": float(me.margeff[0]), "se": float(me.margeff_se[0])},
        "referenceIcc": {"msb": float(msb), "msw": float(msw), "icc": float(icc)},
    }


out = {
    "source": "statsmodels OLS/Logit cov_type='cluster', get_margeff(dummy=True), anova_lm",
    "scenarios": [
        scenario("unequal sizes", 101, 80, 3, 18, 0.35, 0.9),
        scenario("missing arms", 202, 60, 1, 12, 0.5, 1.2, drop_arm=0.15),
        scenario("few clusters", 303, 12, 10, 30, 0.2, 0.6),
        scenario("no effect", 404, 150, 18, 18, 0.0, 1.0),
    ],
}
print(json.dumps(out, indent=1))
