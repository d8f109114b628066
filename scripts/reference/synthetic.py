"""Deterministic synthetic per-response data at the warmth study's scale.

The data-generating process uses the study's published coefficients (Model 3's
context effects and fine-tuning x context interactions, Model 4's dataset,
model and user-belief effects, Model 1's response-length slope) plus a shared
per-item effect, so that responses to one item are correlated (clusters = items).

Randomness comes from a 32-bit integer hash of (seed, stream, row), not from a
library RNG, so that scripts/reference/synthetic.ts reproduces the *same rows*
bit for bit in TypeScript: tests regenerate the data instead of committing it.
Keep the two files in step.
"""

import math

MASK = 0xFFFFFFFF
SEED = 20250721

MODELS = ["70b", "8b", "gpt-4o", "mistral", "qwen-32"]
DATASETS = ["disinfo", "medqa", "trivia", "truthfulqa"]
CONTEXTS = [
    "unmodified",
    "emotion:happy",
    "emotion:sad",
    "emotion:anger",
    "relation:close",
    "relation:hierarchical_up",
    "relation:hierarchical_down",
    "stake:high",
    "stake:low",
]
TEMPLATES = ["original", "original_neutral", "incorrect", "correct"]

# Published coefficients (see ../shared/data/paper/published/model_outputs).
INTERCEPT = -2.9115
FT = 0.4313
MODEL_EFFECT = {"70b": 0.0, "8b": 0.4039, "gpt-4o": -1.1239, "mistral": 0.0578, "qwen-32": -0.0555}
DATASET_EFFECT = {"disinfo": 0.0, "medqa": 2.3922, "trivia": 1.1683, "truthfulqa": 1.7243}
CONTEXT_EFFECT = {
    "unmodified": 0.0,
    "emotion:anger": 0.0685,
    "emotion:happy": 0.0186,
    "emotion:sad": 0.0239,
    "relation:close": 0.0287,
    "relation:hierarchical_down": -0.0055,
    "relation:hierarchical_up": 0.0466,
    "stake:high": 0.1462,
    "stake:low": -0.0848,
}
FT_CONTEXT = {
    "unmodified": 0.0,
    "emotion:anger": 0.0141,
    "emotion:happy": -0.0298,
    "emotion:sad": 0.2275,
    "relation:close": -0.0315,
    "relation:hierarchical_down": 0.0050,
    "relation:hierarchical_up": -0.1247,
    "stake:high": -0.0177,
    "stake:low": 0.0067,
}
USER_BELIEF = {0: 0.3238, 1: 0.4386}
LENGTH_SLOPE = -0.000182
ITEM_SPREAD = 0.8

FULL_ITEMS = {"disinfo": 125, "medqa": 500, "trivia": 500, "truthfulqa": 500}
SMALL_ITEMS = {"disinfo": 10, "medqa": 40, "trivia": 40, "truthfulqa": 40}

COLUMNS = [
    "comparison", "model", "is_finetuned", "dataset", "item_id", "amendment_type",
    "amendment_group", "prompt_type", "prompt_group", "sample", "is_incorrect",
    "response_length",
]


def mix32(x):
    x &= MASK
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK
    x ^= x >> 16
    return x


def hash3(seed, stream, i):
    return mix32(mix32((seed + stream * 0x9E3779B9) & MASK) ^ i)


def rows(items=None, seed=SEED):
    """Yields one dict per response, in a fixed order (the row index drives the hash)."""
    items = items or FULL_ITEMS
    i = 0
    for model in MODELS:
        for ft in (0, 1):
            item_base = 0
            for dataset in DATASETS:
                for j in range(items[dataset]):
                    g = item_base + j
                    item_effect = ((hash3(seed, 2, g) % 2001) - 1000) / 1000 * ITEM_SPREAD
                    for context in CONTEXTS:
                        for template in TEMPLATES:
                            length = 300 + hash3(seed, 3, i) % 700 - (80 if ft else 0)
                            belief = template in ("incorrect", "correct")
                            eta = (
                                INTERCEPT
                                + (FT if ft else 0.0)
                                + MODEL_EFFECT[model]
                                + DATASET_EFFECT[dataset]
                                + CONTEXT_EFFECT[context]
                                + (FT_CONTEXT[context] if ft else 0.0)
                                + (USER_BELIEF[ft] if belief else 0.0)
                                + LENGTH_SLOPE * length
                                + item_effect
                            )
                            p = 1.0 / (1.0 + math.exp(-eta))
                            u = hash3(seed, 1, i) / 4294967296.0
                            yield {
                                "comparison": "warm",
                                "model": model,
                                "is_finetuned": ft,
                                "dataset": dataset,
                                "item_id": f"{dataset}-{j}",
                                "amendment_type": context,
                                "amendment_group": context.split(":")[0],
                                "prompt_type": template,
                                "prompt_group": "user_opinion" if belief else "original",
                                "sample": 0,
                                "is_incorrect": 1 if u < p else 0,
                                "response_length": length,
                            }
                            i += 1
                item_base += items[dataset]


def checksum(records):
    """Order-sensitive fingerprint of the outcomes and lengths (compared with the TS generator)."""
    h = 0
    n = ones = length_sum = 0
    for r in records:
        h = mix32(h ^ (r["is_incorrect"] + 2 * r["response_length"]))
        n += 1
        ones += r["is_incorrect"]
        length_sum += r["response_length"]
    return {"n": n, "ones": ones, "lengthSum": length_sum, "hash": h}


def write_csv(path, items=None, seed=SEED):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(COLUMNS) + "\n")
        for r in rows(items, seed):
            f.write(",".join(str(r[c]) for c in COLUMNS) + "\n")


if __name__ == "__main__":
    import sys

    size = sys.argv[1] if len(sys.argv) > 1 else "small"
    items = FULL_ITEMS if size == "full" else SMALL_ITEMS
    if len(sys.argv) > 2:
        write_csv(sys.argv[2], items)
    else:
        print(checksum(rows(items)))
