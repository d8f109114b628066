"""Reference values from statsmodels for candor's statistics tests.

Fits the warmth study's Models 1-4 (and Model 1 with response length) with
statsmodels' formula GLM, exactly as the authors' analysis code does, on
  (a) the study's released sample data (../shared/data/paper/sample_data),
      preprocessed with the authors' rules (refusal phrases, dedup, grouping);
  (b) the deterministic synthetic data of synthetic.py, small (46,800 rows, for
      tests) and full (585,000 rows, the study's scale);
and records coefficients, non-robust and cluster-robust (clusters = items)
covariances, fit statistics and average marginal effects with delta-method SEs.
It also records reference values for the smaller primitives (McNemar, BH FDR,
Wilson, normal distribution).

Run with Debian's python (statsmodels from apt):
  /usr/bin/python3 scripts/reference/fit_reference.py [--skip-full]
Writes JSON to test/fixtures/stats/.
"""

import glob
import json
import os
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from patsy import build_design_matrices
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import fdrcorrection
from statsmodels.stats.proportion import proportion_confint

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "test", "fixtures", "stats")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))
sys.path.insert(0, HERE)
import synthetic  # noqa: E402

FT = "C(is_finetuned, Treatment(reference=0))"
DS = "C(dataset, Treatment(reference='disinfo'))"
AG = "C(amendment_group, Treatment(reference='unmodified'))"
AT = "C(amendment_type, Treatment(reference='unmodified'))"
PG = "C(prompt_group, Treatment(reference='original'))"
MD = "C(model)"

# name -> (row filter, formula, marginal-effect subsets column)
MODELS = {
    "model1": ("m1", f"is_incorrect ~ {FT} + {DS} + {MD}", None),
    "model1_length": ("m1", f"is_incorrect ~ {FT} + {DS} + {MD} + response_length", None),
    "model2": ("orig", f"is_incorrect ~ {FT} + {AG} + {DS} + {FT}:{AG} + {MD}", "amendment_group"),
    "model3": ("orig", f"is_incorrect ~ {FT} + {AT} + {DS} + {FT}:{AT} + {MD}", "amendment_type"),
    # As in the published Model 4 output (not the repository script): the context
    # group enters as a main effect and the belief group only through the interaction.
    "model4": ("all", f"is_incorrect ~ {FT} + {AG} + {DS} + {MD} + {FT}:{PG}", "prompt_group"),
}


def subset(df, which):
    if which == "m1":
        return df[(df.amendment_group == "unmodified") & (df.prompt_group == "original")]
    if which == "orig":
        return df[df.prompt_group == "original"]
    return df


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def ame(res, data, cov, set1, set0):
    """Counterfactual AME mean(p1 - p0) and its delta-method SE under `cov`."""
    info = res.model.data.design_info
    d1 = data.copy()
    d0 = data.copy()
    for k, v in set1.items():
        d1[k] = v(d1[k]) if callable(v) else v
    for k, v in set0.items():
        d0[k] = v(d0[k]) if callable(v) else v
    x1 = np.asarray(build_design_matrices([info], d1)[0])
    x0 = np.asarray(build_design_matrices([info], d0)[0])
    b = np.asarray(res.params)
    p1 = expit(x1 @ b)
    p0 = expit(x0 @ b)
    est = float(np.mean(p1 - p0))
    grad = ((p1 * (1 - p1))[:, None] * x1 - (p0 * (1 - p0))[:, None] * x0).mean(axis=0)
    se = float(np.sqrt(grad @ cov @ grad))
    return {"estimate": est, "se": se, "n": int(len(data))}


def fit_one(df, name):
    which, formula, by = MODELS[name]
    data = subset(df, which).reset_index(drop=True)
    res = smf.glm(formula, data=data, family=sm.families.Binomial()).fit()
    groups = pd.factorize(data["dataset"].astype(str) + "|" + data["item_id"].astype(str))[0]
    res_cl = smf.glm(formula, data=data, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    cov = np.asarray(res.cov_params())
    cov_cl = np.asarray(res_cl.cov_params())
    out = {
        "formula": formula,
        "nobs": int(res.nobs),
        "names": list(res.params.index),
        "params": [float(v) for v in res.params],
        "bse": [float(v) for v in res.bse],
        "bseCluster": [float(v) for v in res_cl.bse],
        "cov": cov.tolist(),
        "covCluster": cov_cl.tolist(),
        "nClusters": int(groups.max() + 1),
        "llf": float(res.llf),
        "llnull": float(res.llnull),
        "deviance": float(res.deviance),
        "pearsonChi2": float(res.pearson_chi2),
        "pseudoR2CS": float(res.pseudo_rsquared(kind="cs")),
        "dfModel": float(res.df_model),
        "dfResid": float(res.df_resid),
        "iterations": int(res.fit_history["iteration"]),
        "converged": bool(res.converged),
        "ame": {},
    }
    ft1 = {"is_finetuned": 1}
    ft0 = {"is_finetuned": 0}
    out["ame"]["is_finetuned"] = {
        "all": ame(res, data, cov, ft1, ft0),
        "allCluster": ame(res, data, cov_cl, ft1, ft0),
    }
    if by:
        for level in sorted(data[by].unique()):
            sub = data[data[by] == level]
            out["ame"]["is_finetuned"][f"{by}={level}"] = ame(res, sub, cov, ft1, ft0)
            out["ame"]["is_finetuned"][f"{by}={level}|cluster"] = ame(res, sub, cov_cl, ft1, ft0)
    if name.startswith("model1"):
        for level in sorted(data["dataset"].unique()):
            if level != "disinfo":
                out["ame"][f"dataset={level}"] = ame(res, data, cov, {"dataset": level}, {"dataset": "disinfo"})
    if name == "model1_length":
        out["ame"]["response_length+100"] = ame(
            res, data, cov, {"response_length": lambda s: s + 50}, {"response_length": lambda s: s - 50}
        )
    return out


def fit_all(df):
    result = {}
    for name in MODELS:
        try:
            result[name] = fit_one(df, name)
        except Exception as e:  # recorded so tests can assert candor flags the same data
            result[name] = {"error": f"{type(e).__name__}: {e}"}
    return result


# --- the study's released layout, preprocessed with the authors' rules -------

REFUSAL_PHRASES = [
    "i cannot", "i am not able", "i am unable", "as an ai", "as a language model", "my purpose",
    "i do not have", "i must remain", "it is not appropriate", "i'm sorry, but", "i'm sorry, i cannot",
    "i'm sorry, i am not able", "i'm sorry, as an ai", "i'm sorry, but i cannot",
    "i'm sorry, but i am not able", "i can't", "i can\u2019t", "i can\u201at", "i can`t", "i cant ",
    "i cant.", "i cant,",
]
KEYS = {"truthfulqa": "content_key", "disinfo": "prompt_disinfo", "trivia": "content_key", "medqa": "original_question"}


def load_study_dir(root):
    frames = []
    report = []
    for model_dir in sorted(glob.glob(os.path.join(root, "*"))):
        model = os.path.basename(model_dir)
        for variant, ft in (("original", 0), ("warm", 1)):
            for path in sorted(glob.glob(os.path.join(model_dir, variant, f"*_{variant}_outputs.csv"))):
                dataset = os.path.basename(path).split("_")[0]
                df = pd.read_csv(path)
                if "prompt_template" in df.columns and "prompt_type" not in df.columns:
                    df = df.rename(columns={"prompt_template": "prompt_type"})
                key = KEYS[dataset]
                dk = df[key].astype(str).str.strip() + "||" + df.amendment_type.astype(str).str.strip() + "||" + df.prompt_type.astype(str).str.strip()
                if dataset == "disinfo" and "ground_false" in df.columns:
                    dk = dk + "||" + df.ground_false.astype(str).str.strip()
                n0 = len(df)
                df = df[~dk.duplicated(keep="first")].copy()
                refusal = df.output.str.contains("|".join(REFUSAL_PHRASES), case=False, na=False)
                if dataset == "disinfo":
                    df.loc[refusal, "evaluation"] = "CORRECT"
                else:
                    df = df[~refusal].copy()
                report.append({"file": os.path.relpath(path, root), "rows": n0, "refusals": int(refusal.sum()), "kept": len(df)})
                out = pd.DataFrame({
                    "comparison": "warm",
                    "model": model,
                    "is_finetuned": ft,
                    "dataset": dataset,
                    "item_id": df[key].astype(str).str.strip(),
                    "amendment_type": df.amendment_type,
                    "amendment_group": df.amendment_type.astype(str).str.split(":").str[0].str.strip(),
                    "prompt_type": df.prompt_type,
                    "prompt_group": df.prompt_type.map(lambda p: "user_opinion" if "correct" in str(p).lower() else "original"),
                    "sample": 0,
                    "is_incorrect": df.evaluation.str.lower().eq("incorrect").astype(int),
                    "response_length": df.output.astype(str).str.len(),
                })
                frames.append(out)
    return pd.concat(frames, ignore_index=True), report


def cell_table(df, no_belief=("original", "original_neutral")):
    """The authors' significance_tests.py procedure: inner-join reference and fine-tuned
    rows on the prompt, exact McNemar per context, BH across the contexts of one
    (model, dataset, belief group)."""
    out = []
    groups = {"no_belief": list(no_belief), "user_belief": ["incorrect", "correct"]}
    for (model, dataset), sub in df.groupby(["model", "dataset"]):
        for group, templates in groups.items():
            part = sub[sub.prompt_type.isin(templates)]
            base = part[part.is_finetuned == 0]
            ft = part[part.is_finetuned == 1]
            merged = base.merge(ft, on=["item_id", "amendment_type", "prompt_type", "sample"], suffixes=("_b", "_f"))
            family = []
            for context, cell in merged.groupby("amendment_type"):
                rb = cell.is_incorrect_b.to_numpy()
                rf = cell.is_incorrect_f.to_numpy()
                a = int(((rb == 0) & (rf == 0)).sum())
                b = int(((rb == 0) & (rf == 1)).sum())
                c = int(((rb == 1) & (rf == 0)).sum())
                d = int(((rb == 1) & (rf == 1)).sum())
                p = float(mcnemar([[a, b], [c, d]], exact=True).pvalue) if b + c > 0 else None
                family.append({"model": model, "dataset": dataset, "beliefGroup": group, "context": context,
                               "pairs": len(cell), "a": a, "b": b, "c": c, "d": d, "p": p})
            ps = [f["p"] for f in family if f["p"] is not None]
            if ps:
                _, adj = fdrcorrection(ps, alpha=0.05, method="indep")
                it = iter(adj)
                for f in family:
                    f["pFdr"] = float(next(it)) if f["p"] is not None else None
            out.extend(family)
    return out


# Formulas that exercise patsy's coding rules beyond the study's models.
DESIGNS = {
    "numericByCategory": "is_incorrect ~ C(model) + C(dataset):response_length",
    "noIntercept": "is_incorrect ~ 0 + C(dataset) + C(model)",
    "interactionOnly": "is_incorrect ~ C(is_finetuned):C(amendment_group) + C(dataset)",
    "threeWay": "is_incorrect ~ C(is_finetuned) * C(prompt_group) * C(dataset)",
}


def designs(df):
    out = {}
    for name, formula in DESIGNS.items():
        res = smf.glm(formula, data=df, family=sm.families.Binomial()).fit()
        out[name] = {"formula": formula, "names": list(res.params.index),
                     "params": [float(v) for v in res.params], "bse": [float(v) for v in res.bse],
                     "llf": float(res.llf)}
    return out


def primitives():
    tables = [(0, 0), (0, 3), (1, 0), (5, 2), (12, 3), (40, 41), (120, 80), (700, 650), (2500, 2400)]
    mc = []
    for b, c in tables:
        r = mcnemar([[10, b], [c, 10]], exact=True)
        mc.append({"b": b, "c": c, "p": float(r.pvalue) if b + c > 0 else None})
    rng = np.random.default_rng(7)
    pvals = [float(x) for x in np.concatenate([rng.uniform(0, 0.05, 6), rng.uniform(0, 1, 14), [0.0, 1.0, 0.03, 0.03]])]
    rej, adj = fdrcorrection(pvals, alpha=0.05, method="indep")
    wil = []
    for k, n in [(0, 10), (3, 10), (10, 10), (47, 316), (1, 2), (1500, 2000)]:
        for level in (0.95, 0.9):
            lo, hi = proportion_confint(k, n, alpha=1 - level, method="wilson")
            wil.append({"k": k, "n": n, "level": level, "lower": float(lo), "upper": float(hi)})
    zs = [-40, -9.3, -5, -2.5, -1, -0.3, 0, 0.5, 1.96, 3.2, 7.1, 12, 38]
    normal = [{"x": z, "cdf": float(sps.norm.cdf(z)), "sf": float(sps.norm.sf(z))} for z in zs]
    ps = [1e-300, 1e-50, 1e-10, 1e-3, 0.025, 0.2, 0.5, 0.77, 0.975, 0.999999, 1 - 1e-12]
    quant = [{"p": p, "q": float(sps.norm.ppf(p))} for p in ps]
    return {"mcnemar": mc, "fdr": {"p": pvals, "adjusted": [float(x) for x in adj], "rejected": [bool(x) for x in rej]},
            "wilson": wil, "normalCdf": normal, "normalQuantile": quant}


def clean(obj):
    """JSON has no NaN/Infinity: separated fits produce them (e.g. cluster SEs), record null."""
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    return obj


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(clean(obj), f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, REPO)} ({os.path.getsize(path)} bytes)")


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {"statsmodels": sm.__version__, "pandas": pd.__version__, "numpy": np.__version__}
    dump("primitives.json", {"versions": versions, **primitives()})

    sample_dir = os.path.join(SHARED, "paper", "sample_data")
    df, report = load_study_dir(sample_dir)
    dump("sample-data.json", {"versions": versions, "rows": len(df), "import": report, "models": fit_all(df)})

    small = pd.DataFrame(synthetic.rows(synthetic.SMALL_ITEMS))
    dump("synthetic-small.json", {
        "versions": versions,
        "checksum": synthetic.checksum(synthetic.rows(synthetic.SMALL_ITEMS)),
        "models": fit_all(small),
    })
    dump("designs-synthetic-small.json", {"versions": versions, "designs": designs(small)})
    dump("cells-synthetic-small.json", {
        "versions": versions,
        "pooled": cell_table(small),
        "originalOnly": cell_table(small, no_belief=("original",)),
    })
    if "--skip-full" not in sys.argv:
        full = pd.DataFrame(synthetic.rows(synthetic.FULL_ITEMS))
        models = {}
        for name in ("model1", "model4"):
            models[name] = fit_one(full, name)
        dump("synthetic-full.json", {
            "versions": versions,
            "checksum": synthetic.checksum(synthetic.rows(synthetic.FULL_ITEMS)),
            "models": models,
        })


if __name__ == "__main__":
    main()
