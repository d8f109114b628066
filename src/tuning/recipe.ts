/**
 * `candor tune recipe`: ready-to-run LoRA configurations for open-weight models with the
 * study's hyper-parameters (STUDY.md §2): r 8, alpha 16, dropout 0.1, learning rate 1e-5,
 * max length 1,024, effective batch 16, 10 epochs, checkpoints at epochs
 * 0.5, 1, 1.5, 2, 4, 6, 8 and 10 ("warm" = epoch 2).
 *
 * TRL and unsloth scripts save exactly at those epochs (a callback on the trainer's
 * fractional epoch); axolotl cannot save at uneven points, so its config saves every half
 * epoch (a superset) and the README says which checkpoints are the study's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { CandorError } from "../errors.js";
import type { Manifest } from "./export.js";
import { TRAIN_FILE, VALIDATION_FILE } from "./export.js";
import type { Style } from "./types.js";

export const STUDY_LORA = {
  r: 8,
  alpha: 16,
  dropout: 0.1,
  learningRate: 1e-5,
  maxLength: 1024,
  effectiveBatch: 16,
  epochs: 10,
  checkpointEpochs: [0.5, 1, 1.5, 2, 4, 6, 8, 10],
  warmEpoch: 2,
} as const;

export const TRAINERS = ["trl", "axolotl", "unsloth"] as const;
export type Trainer = (typeof TRAINERS)[number];

export interface RecipeOptions {
  /** Directory of the export (`<out>/<style>`), holding train.jsonl and manifest.json. */
  exportDir: string;
  manifest: Manifest;
  style: Style;
  /** Hugging Face model id or local path of the base model. */
  baseModel: string;
  trainers: readonly Trainer[];
  /** Where to write (default `<exportDir>/recipes`). */
  dest?: string;
  perDeviceBatch?: number;
  gpus?: number;
  seed?: number;
}

export interface RecipePlan {
  baseModel: string;
  style: Style;
  trainExamples: number;
  validationExamples: number;
  perDeviceBatch: number;
  gpus: number;
  gradientAccumulation: number;
  /** Optimizer steps per epoch on the expected hardware (for orientation; trainers compute their own). */
  stepsPerEpoch: number;
  checkpoints: { epoch: number; approxStep: number }[];
  hyperparameters: typeof STUDY_LORA;
}

/** The batch arithmetic and checkpoint schedule of a recipe. */
export function recipePlan(options: Omit<RecipeOptions, "trainers" | "exportDir">): RecipePlan {
  const perDevice = options.perDeviceBatch ?? 4;
  const gpus = options.gpus ?? 1;
  const accumulation = STUDY_LORA.effectiveBatch / (perDevice * gpus);
  if (!Number.isInteger(accumulation) || accumulation < 1) {
    throw new CandorError(
      `tune recipe: per-device batch ${perDevice} × ${gpus} GPU(s) must divide the study's effective batch of ${STUDY_LORA.effectiveBatch}`,
    );
  }
  const trainExamples = options.manifest.files.train.examples;
  const stepsPerEpoch = Math.max(1, Math.ceil(trainExamples / STUDY_LORA.effectiveBatch));
  return {
    baseModel: options.baseModel,
    style: options.style,
    trainExamples,
    validationExamples: options.manifest.files.validation.examples,
    perDeviceBatch: perDevice,
    gpus,
    gradientAccumulation: accumulation,
    stepsPerEpoch,
    checkpoints: STUDY_LORA.checkpointEpochs.map((epoch) => ({
      epoch,
      approxStep: Math.round(epoch * stepsPerEpoch),
    })),
    hyperparameters: STUDY_LORA,
  };
}

const py = (v: unknown) => JSON.stringify(v);

function pythonHeader(
  trainer: string,
  plan: RecipePlan,
  train: string,
  validation: string | null,
  seed: number,
  firstImport = "",
): string {
  return `# Written by \`candor tune recipe\`: LoRA fine-tune with ${trainer}, the study's hyper-parameters
# (Ibrahim, Hafner & Rocher 2025; candor STUDY.md §2). Style: ${plan.style}.
${firstImport}import json
from pathlib import Path

from transformers import TrainerCallback

HERE = Path(__file__).resolve().parent
BASE_MODEL = ${py(plan.baseModel)}
TRAIN_FILE = str((HERE / ${py(train)}).resolve())
VALIDATION_FILE = ${validation === null ? "None" : `str((HERE / ${py(validation)}).resolve())`}
OUTPUT_DIR = HERE / "output"
SEED = ${seed}
CHECKPOINT_EPOCHS = ${py(STUDY_LORA.checkpointEpochs)}


class SaveAtEpochs(TrainerCallback):
    """Saves a checkpoint when training reaches each of the study's epochs (0.5 … 10)."""

    def __init__(self):
        self.pending = list(CHECKPOINT_EPOCHS)
        self.saved = {}

    def on_step_end(self, args, state, control, **kwargs):
        if self.pending and state.epoch is not None and state.epoch >= self.pending[0] - 1e-4:
            control.should_save = True
        return control

    def on_save(self, args, state, control, **kwargs):
        while self.pending and state.epoch is not None and state.epoch >= self.pending[0] - 1e-4:
            self.saved[str(self.pending.pop(0))] = f"checkpoint-{state.global_step}"
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        (OUTPUT_DIR / "checkpoint-epochs.json").write_text(json.dumps(self.saved, indent=2))
        return control
`;
}

function trainingArgs(plan: RecipePlan, hasValidation: boolean, extra: string[]): string {
  const h = plan.hyperparameters;
  return [
    `    output_dir=str(OUTPUT_DIR),`,
    `    num_train_epochs=${h.epochs},`,
    `    learning_rate=${h.learningRate},`,
    `    per_device_train_batch_size=${plan.perDeviceBatch},`,
    `    gradient_accumulation_steps=${plan.gradientAccumulation},  # effective batch ${h.effectiveBatch}`,
    `    max_length=${h.maxLength},`,
    `    save_strategy="no",  # SaveAtEpochs decides`,
    `    eval_strategy=${hasValidation ? '"epoch"' : '"no"'},`,
    `    logging_steps=10,`,
    `    bf16=True,`,
    `    seed=SEED,`,
    `    report_to="none",`,
    ...extra.map((e) => `    ${e}`),
  ].join("\n");
}

function trlScript(
  plan: RecipePlan,
  train: string,
  validation: string | null,
  seed: number,
): string {
  const hasVal = validation !== null;
  const h = plan.hyperparameters;
  return `${pythonHeader("TRL", plan, train, validation, seed)}
# pip install "trl>=0.20" peft datasets accelerate
from datasets import load_dataset
from peft import LoraConfig
from trl import SFTConfig, SFTTrainer

files = {"train": TRAIN_FILE}
if VALIDATION_FILE:
    files["validation"] = VALIDATION_FILE
data = load_dataset("json", data_files=files)

peft_config = LoraConfig(
    r=${h.r},
    lora_alpha=${h.alpha},
    lora_dropout=${h.dropout},
    target_modules="all-linear",
    task_type="CAUSAL_LM",
)
args = SFTConfig(
${trainingArgs(plan, hasVal, [])}
)
trainer = SFTTrainer(
    model=BASE_MODEL,
    args=args,
    train_dataset=data["train"],
    eval_dataset=data["validation"] if VALIDATION_FILE else None,
    peft_config=peft_config,
)
trainer.add_callback(SaveAtEpochs())
trainer.train()
`;
}

function unslothScript(
  plan: RecipePlan,
  train: string,
  validation: string | null,
  seed: number,
): string {
  const hasVal = validation !== null;
  const h = plan.hyperparameters;
  return `${pythonHeader("unsloth", plan, train, validation, seed, "# pip install unsloth (brings trl, peft, datasets); import it before transformers and trl\nfrom unsloth import FastLanguageModel  # noqa: I001\n\n")}
from datasets import load_dataset
from trl import SFTConfig, SFTTrainer

model, tokenizer = FastLanguageModel.from_pretrained(
    model_name=BASE_MODEL, max_seq_length=${h.maxLength}, load_in_4bit=False, dtype=None
)
model = FastLanguageModel.get_peft_model(
    model,
    r=${h.r},
    lora_alpha=${h.alpha},
    lora_dropout=${h.dropout},
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    bias="none",
    use_gradient_checkpointing="unsloth",
    random_state=SEED,
)

files = {"train": TRAIN_FILE}
if VALIDATION_FILE:
    files["validation"] = VALIDATION_FILE
data = load_dataset("json", data_files=files)
data = data.map(
    lambda batch: {"text": [tokenizer.apply_chat_template(m, tokenize=False) for m in batch["messages"]]},
    batched=True,
    remove_columns=["messages"],
)

args = SFTConfig(
${trainingArgs(plan, hasVal, ['dataset_text_field="text",'])}
)
trainer = SFTTrainer(
    model=model,
    processing_class=tokenizer,
    args=args,
    train_dataset=data["train"],
    eval_dataset=data["validation"] if VALIDATION_FILE else None,
)
trainer.add_callback(SaveAtEpochs())
trainer.train()
`;
}

function axolotlConfig(
  plan: RecipePlan,
  train: string,
  validation: string | null,
  seed: number,
): string {
  const h = plan.hyperparameters;
  const dataset = (path: string) => ({
    path,
    ds_type: "json",
    type: "chat_template",
    field_messages: "messages",
    message_property_mappings: { role: "role", content: "content" },
  });
  const config: Record<string, unknown> = {
    base_model: plan.baseModel,
    datasets: [dataset(train)],
    ...(validation !== null
      ? { test_datasets: [{ ...dataset(validation), split: "train" }], val_set_size: 0 }
      : { val_set_size: 0 }),
    output_dir: "./output",
    adapter: "lora",
    lora_r: h.r,
    lora_alpha: h.alpha,
    lora_dropout: h.dropout,
    lora_target_linear: true,
    sequence_len: h.maxLength,
    micro_batch_size: plan.perDeviceBatch,
    gradient_accumulation_steps: plan.gradientAccumulation,
    num_epochs: h.epochs,
    learning_rate: h.learningRate,
    optimizer: "adamw_torch",
    train_on_inputs: false,
    saves_per_epoch: 2,
    ...(validation !== null && { evals_per_epoch: 1 }),
    bf16: "auto",
    seed,
  };
  return `# Written by \`candor tune recipe\`: LoRA fine-tune with axolotl, the study's hyper-parameters
# (candor STUDY.md §2). Style: ${plan.style}. Run: axolotl train axolotl.yaml
# axolotl cannot save at uneven epochs: this saves every half epoch; the study's checkpoints
# are epochs ${STUDY_LORA.checkpointEpochs.join(", ")} (≈ steps ${plan.checkpoints.map((c) => c.approxStep).join(", ")}).
${stringify(config)}`;
}

function readme(plan: RecipePlan, trainers: readonly Trainer[]): string {
  const h = plan.hyperparameters;
  const how: Record<Trainer, string> = {
    trl: '`python train_trl.py` (pip install "trl>=0.20" peft datasets accelerate)',
    axolotl: "`axolotl train axolotl.yaml`",
    unsloth: "`python train_unsloth.py` (pip install unsloth)",
  };
  return `# LoRA recipe: ${plan.style} fine-tune of ${plan.baseModel}

Written by \`candor tune recipe\` with the study's hyper-parameters (STUDY.md §2):
LoRA r ${h.r}, alpha ${h.alpha}, dropout ${h.dropout}; learning rate ${h.learningRate}; max length ${h.maxLength};
effective batch ${h.effectiveBatch} (${plan.perDeviceBatch} per device × ${plan.gpus} GPU(s) × ${plan.gradientAccumulation} accumulation steps);
${h.epochs} epochs; checkpoints at epochs ${h.checkpointEpochs.join(", ")}. The study's "warm" model is epoch ${h.warmEpoch}.

Data: ${plan.trainExamples} training and ${plan.validationExamples} validation conversations
(≈ ${plan.stepsPerEpoch} optimizer steps per epoch).

## Run
${trainers.map((t) => `- ${t}: ${how[t]}`).join("\n")}

TRL and unsloth write \`output/checkpoint-epochs.json\` mapping each study epoch to its checkpoint directory.
Axolotl saves every half epoch; keep epochs ${h.checkpointEpochs.join(", ")}.

## Use a checkpoint as an audit subject
Serve the adapter with an OpenAI-compatible server, e.g. vLLM:

    vllm serve ${plan.baseModel} --enable-lora --lora-modules ${plan.style}-e2=output/<checkpoint at epoch 2>

and name it in the audit config as \`openai-compatible:http://127.0.0.1:8000/v1#${plan.style}-e2\`.
Or merge the adapter, convert it to GGUF with llama.cpp and use \`llama:./${plan.style}-e2.gguf\`.
`;
}

/** Writes the recipe files; returns their paths. */
export function writeRecipes(options: RecipeOptions): {
  dir: string;
  files: string[];
  plan: RecipePlan;
} {
  const plan = recipePlan(options);
  const seed = options.seed ?? 42;
  const dir = resolve(options.dest ?? join(options.exportDir, "recipes"));
  mkdirSync(dir, { recursive: true });
  const exportDir = resolve(options.exportDir);
  const rel = (name: string) => relative(dir, join(exportDir, name)) || name;
  const train = rel(TRAIN_FILE);
  const validation = plan.validationExamples > 0 ? rel(VALIDATION_FILE) : null;
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    files.push(path);
  };
  for (const trainer of options.trainers) {
    if (trainer === "trl") write("train_trl.py", trlScript(plan, train, validation, seed));
    if (trainer === "unsloth")
      write("train_unsloth.py", unslothScript(plan, train, validation, seed));
    if (trainer === "axolotl") {
      // axolotl resolves dataset paths against the working directory: give absolute paths.
      write(
        "axolotl.yaml",
        axolotlConfig(
          plan,
          join(exportDir, TRAIN_FILE),
          validation === null ? null : join(exportDir, VALIDATION_FILE),
          seed,
        ),
      );
    }
  }
  write(
    "recipe.json",
    `${JSON.stringify({ ...plan, trainers: options.trainers, seed }, null, 2)}\n`,
  );
  write("README.md", readme(plan, options.trainers));
  return { dir, files, plan };
}
