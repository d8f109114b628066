"""Reference values for candor's two-proportion z-test (src/stats/two-proportion.ts), from statsmodels.

Used by `candor judge-check` to test whether the judge agrees with people less often on the
treatment's answers than on the reference's.
Run: /usr/bin/python3 scripts/reference/two_proportion_reference.py > test/fixtures/stats/two-proportion.json
"""
import json

from statsmodels.stats.proportion import proportions_ztest

CASES = [
    (40, 50, 47, 50),
    (18, 25, 24, 25),
    (90, 100, 88, 100),
    (5, 10, 9, 10),
    (30, 30, 29, 30),
]

out = []
for x1, n1, x2, n2 in CASES:
    row = {"x1": x1, "n1": n1, "x2": x2, "n2": n2}
    for alt in ("two-sided", "smaller", "larger"):
        z, p = proportions_ztest([x1, x2], [n1, n2], alternative=alt)
        row["z"] = float(z)
        row["p_" + alt.replace("-", "_")] = float(p)
    out.append(row)
print(json.dumps({"source": "statsmodels.stats.proportion.proportions_ztest (pooled variance)", "cases": out}, indent=2))
