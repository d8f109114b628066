/**
 * Writes a tiny random-weight llama-architecture GGUF that node-llama-cpp 3.21.1 loads and runs.
 *
 * The model is nonsense (seeded random weights) but has everything a real chat model has:
 * llama hyper-parameters, an SPM ("llama") tokenizer with byte fallback tokens, ChatML control
 * tokens and a ChatML chat template, so chat sessions, grammars and sampling all work.
 *
 * GGUF v3 layout: header, metadata key/values, tensor infos, padding to `general.alignment`,
 * then each tensor's F32 data at an aligned offset relative to the start of the data section.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mulberry32 } from "./rng.js";

export interface TinyGgufOptions {
  /** Seed of the weight RNG (default 1). */
  seed?: number;
  /** Jinja chat template stored in `tokenizer.chat_template`; `null` writes none (default: ChatML). */
  chatTemplate?: string | null;
  nEmbd?: number;
  nHead?: number;
  nLayer?: number;
  nFf?: number;
  /** Key/value heads (grouped-query attention, as in Qwen2.5); default nHead. */
  nHeadKv?: number;
  /** Pad the vocabulary with plain tokens up to this size (a real model's output-layer cost). */
  vocabSize?: number;
  contextLength?: number;
}

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Bumped whenever the written bytes change, so cached files from older helpers are not reused. */
const FORMAT_VERSION = 1;
const ALIGNMENT = 32;

// GGUF metadata value types.
const T_UINT32 = 4;
const T_INT32 = 5;
const T_FLOAT32 = 6;
const T_BOOL = 7;
const T_STRING = 8;
const T_ARRAY = 9;
// ggml tensor type F32.
const GGML_F32 = 0;
// Token types (llama.cpp LLAMA_TOKEN_TYPE_*).
const TOK_NORMAL = 1;
const TOK_UNKNOWN = 2;
const TOK_CONTROL = 3;
const TOK_BYTE = 6;

type MetaValue =
  | { t: "u32"; v: number }
  | { t: "i32"; v: number }
  | { t: "f32"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "str"; v: string }
  | { t: "str[]"; v: string[] }
  | { t: "f32[]"; v: number[] }
  | { t: "i32[]"; v: number[] };

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;
  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  u8(v: number): void {
    this.push(Buffer.from([v]));
  }
  str(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
  raw(b: Buffer): void {
    this.push(b);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad > 0) this.push(Buffer.alloc(pad));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeMeta(w: ByteWriter, key: string, m: MetaValue): void {
  w.str(key);
  switch (m.t) {
    case "u32":
      w.u32(T_UINT32);
      w.u32(m.v);
      break;
    case "i32":
      w.u32(T_INT32);
      w.i32(m.v);
      break;
    case "f32":
      w.u32(T_FLOAT32);
      w.f32(m.v);
      break;
    case "bool":
      w.u32(T_BOOL);
      w.u8(m.v ? 1 : 0);
      break;
    case "str":
      w.u32(T_STRING);
      w.str(m.v);
      break;
    case "str[]":
      w.u32(T_ARRAY);
      w.u32(T_STRING);
      w.u64(m.v.length);
      for (const s of m.v) w.str(s);
      break;
    case "f32[]":
      w.u32(T_ARRAY);
      w.u32(T_FLOAT32);
      w.u64(m.v.length);
      for (const x of m.v) w.f32(x);
      break;
    case "i32[]":
      w.u32(T_ARRAY);
      w.u32(T_INT32);
      w.u64(m.v.length);
      for (const x of m.v) w.i32(x);
      break;
  }
}

/** The tokenizer vocabulary: specials, 256 byte-fallback tokens, "▁" and alphanumerics. */
export function tinyVocab(vocabSize = 0): {
  tokens: string[];
  scores: number[];
  types: number[];
} {
  const tokens: string[] = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"];
  const types: number[] = [TOK_UNKNOWN, TOK_CONTROL, TOK_CONTROL, TOK_CONTROL, TOK_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOK_BYTE);
  }
  const normal = ["\u2581"];
  for (let c = 0x30; c <= 0x39; c++) normal.push(String.fromCharCode(c));
  for (let c = 0x41; c <= 0x5a; c++) normal.push(String.fromCharCode(c));
  for (let c = 0x61; c <= 0x7a; c++) normal.push(String.fromCharCode(c));
  for (const t of normal) {
    tokens.push(t);
    types.push(TOK_NORMAL);
  }
  for (let i = 0; tokens.length < vocabSize; i++) {
    tokens.push(`\u2581pad${i}`);
    types.push(TOK_NORMAL);
  }
  const scores = tokens.map((_, i) => (types[i] === TOK_NORMAL ? -i : 0));
  return { tokens, scores, types };
}

/** Builds the GGUF bytes (deterministic for the same options). */
export function buildTinyGguf(opts: TinyGgufOptions = {}): Buffer {
  const nEmbd = opts.nEmbd ?? 64;
  const nHead = opts.nHead ?? 4;
  const nLayer = opts.nLayer ?? 2;
  const nFf = opts.nFf ?? 128;
  const ctx = opts.contextLength ?? 256;
  const template = opts.chatTemplate === undefined ? CHATML_TEMPLATE : opts.chatTemplate;
  const nHeadKv = opts.nHeadKv ?? nHead;
  const nEmbdKv = (nEmbd / nHead) * nHeadKv;
  const vocab = tinyVocab(opts.vocabSize);
  const nVocab = vocab.tokens.length;

  const meta: [string, MetaValue][] = [
    ["general.architecture", { t: "str", v: "llama" }],
    ["general.name", { t: "str", v: "candor-tiny-test" }],
    ["general.alignment", { t: "u32", v: ALIGNMENT }],
    ["general.file_type", { t: "u32", v: 0 }],
    ["llama.context_length", { t: "u32", v: ctx }],
    ["llama.embedding_length", { t: "u32", v: nEmbd }],
    ["llama.block_count", { t: "u32", v: nLayer }],
    ["llama.feed_forward_length", { t: "u32", v: nFf }],
    ["llama.attention.head_count", { t: "u32", v: nHead }],
    ["llama.attention.head_count_kv", { t: "u32", v: nHeadKv }],
    ["llama.rope.dimension_count", { t: "u32", v: nEmbd / nHead }],
    ["llama.rope.freq_base", { t: "f32", v: 10000 }],
    ["llama.attention.layer_norm_rms_epsilon", { t: "f32", v: 1e-5 }],
    ["llama.vocab_size", { t: "u32", v: nVocab }],
    ["tokenizer.ggml.model", { t: "str", v: "llama" }],
    ["tokenizer.ggml.tokens", { t: "str[]", v: vocab.tokens }],
    ["tokenizer.ggml.scores", { t: "f32[]", v: vocab.scores }],
    ["tokenizer.ggml.token_type", { t: "i32[]", v: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", { t: "u32", v: 0 }],
    ["tokenizer.ggml.bos_token_id", { t: "u32", v: 1 }],
    ["tokenizer.ggml.eos_token_id", { t: "u32", v: 2 }],
    ["tokenizer.ggml.add_bos_token", { t: "bool", v: true }],
    ["tokenizer.ggml.add_eos_token", { t: "bool", v: false }],
  ];
  if (template !== null) meta.push(["tokenizer.chat_template", { t: "str", v: template }]);

  // Tensor shapes in GGUF order: ne[0] is the contiguous (input) dimension.
  const tensors: { name: string; dims: number[]; init: "norm" | number }[] = [
    { name: "token_embd.weight", dims: [nEmbd, nVocab], init: 0.5 },
    { name: "output_norm.weight", dims: [nEmbd], init: "norm" },
    { name: "output.weight", dims: [nEmbd, nVocab], init: 0.08 },
  ];
  for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}`;
    tensors.push(
      { name: `${p}.attn_norm.weight`, dims: [nEmbd], init: "norm" },
      { name: `${p}.attn_q.weight`, dims: [nEmbd, nEmbd], init: 0.15 },
      { name: `${p}.attn_k.weight`, dims: [nEmbd, nEmbdKv], init: 0.15 },
      { name: `${p}.attn_v.weight`, dims: [nEmbd, nEmbdKv], init: 0.15 },
      { name: `${p}.attn_output.weight`, dims: [nEmbd, nEmbd], init: 0.15 },
      { name: `${p}.ffn_norm.weight`, dims: [nEmbd], init: "norm" },
      { name: `${p}.ffn_gate.weight`, dims: [nEmbd, nFf], init: 0.15 },
      { name: `${p}.ffn_down.weight`, dims: [nFf, nEmbd], init: 0.15 },
      { name: `${p}.ffn_up.weight`, dims: [nEmbd, nFf], init: 0.15 },
    );
  }

  const rand = mulberry32(opts.seed ?? 1);
  const datas: Buffer[] = tensors.map((t) => {
    const n = t.dims.reduce((a, b) => a * b, 1);
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) f[i] = t.init === "norm" ? 1 : (rand() * 2 - 1) * t.init;
    return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  });

  const w = new ByteWriter();
  w.raw(Buffer.from("GGUF", "ascii"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(meta.length);
  for (const [k, v] of meta) writeMeta(w, k, v);
  let offset = 0;
  const offsets: number[] = [];
  for (const [i, t] of tensors.entries()) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_F32);
    w.u64(offset);
    offsets.push(offset);
    offset += datas[i]!.length;
    offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
  }
  w.padTo(ALIGNMENT);
  const dataStart = w.length;
  for (const [i, d] of datas.entries()) {
    const want = dataStart + offsets[i]!;
    if (w.length < want) w.raw(Buffer.alloc(want - w.length));
    w.raw(d);
  }
  w.padTo(ALIGNMENT);
  return w.toBuffer();
}

/** Writes the tiny GGUF to `path` atomically (temp file + rename). */
export async function writeTinyGguf(path: string, opts: TinyGgufOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, buildTinyGguf(opts));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Where the shared tiny model for the given options lives (stable across test files and runs). */
export function tinyGgufPath(opts: TinyGgufOptions = {}): string {
  const key = createHash("sha256")
    .update(JSON.stringify({ v: FORMAT_VERSION, ...opts }))
    .digest("hex")
    .slice(0, 12);
  return join(tmpdir(), "candor-test-models", `tiny-${key}.gguf`);
}

/** Returns the path of the shared tiny model, writing it on first use. */
export async function ensureTinyGguf(opts: TinyGgufOptions = {}): Promise<string> {
  const path = tinyGgufPath(opts);
  if (!existsSync(path)) await writeTinyGguf(path, opts);
  return path;
}
