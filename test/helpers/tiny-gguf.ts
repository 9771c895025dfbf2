/**
 * Writes a tiny but valid GGUF v3 model (llama architecture, random F32 weights, an SPM vocabulary with
 * byte fallback and a ChatML `tokenizer.chat_template`) that node-llama-cpp loads and generates with.
 * Deterministic: the same options give the same bytes. Layout copied from a real llama GGUF.
 *
 * @example
 * const file = await writeTinyGguf(join(dir, 'tiny.gguf'));
 */
import { writeFile } from 'node:fs/promises';
import { mulberry32 } from './random.ts';

export interface TinyGgufOptions {
  /** Hidden size (default 32). */
  embd?: number;
  /** Transformer blocks (default 2). */
  layers?: number;
  heads?: number;
  kvHeads?: number;
  ff?: number;
  contextLength?: number;
  /** PRNG seed for the weights (default 1). */
  seed?: number;
  /** Jinja chat template (default ChatML). */
  chatTemplate?: string;
}

const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const T_U32 = 4;
const T_F32 = 6;
const T_STRING = 8;
const T_ARRAY = 9;
const T_I32 = 5;
const T_BOOL = 7;
const ALIGN = 32;

export type Kv = [string, 'u32', number] | [string, 'f32', number] | [string, 'str', string] | [string, 'bool', boolean]
  | [string, 'str[]', string[]] | [string, 'f32[]', number[]] | [string, 'i32[]', number[]];

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void { this.chunks.push(b); this.length += b.length; }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
  i32(v: number): void { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
  u64(v: number): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  f32(v: number): void { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
  str(s: string): void { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.push(b); }
  pad(to: number): void { const r = this.length % to; if (r !== 0) this.push(Buffer.alloc(to - r)); }
  concat(): Buffer { return Buffer.concat(this.chunks); }
}

function vocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  const types = [2, 3, 3, 3, 3];
  for (let i = 0; i < 256; i++) { tokens.push(`<0x${i.toString(16).toUpperCase().padStart(2, '0')}>`); types.push(6); }
  const words = ['▁'];
  for (const c of 'abcdefghijklmnopqrstuvwxyz') words.push(c, `▁${c}`);
  words.push('▁the', '▁and', '▁user', '▁assistant', '▁system', 'er', 'in', 'on', 'an', '▁hello', '▁world');
  for (const w of words) { tokens.push(w); types.push(1); }
  const scores = tokens.map((t, i) => (types[i] === 1 ? -i / 100 + t.length : 0));
  return { tokens, scores, types };
}

/** Builds the GGUF bytes in memory. */
export function tinyGgufBuffer(opts: TinyGgufOptions = {}): Buffer {
  const embd = opts.embd ?? 32;
  const layers = opts.layers ?? 2;
  const heads = opts.heads ?? 4;
  const kvHeads = opts.kvHeads ?? 2;
  const ff = opts.ff ?? 64;
  const headDim = embd / heads;
  const kvDim = headDim * kvHeads;
  const v = vocab();
  const nVocab = v.tokens.length;

  const kvs: Kv[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', 'yumen-tiny-test'],
    ['general.alignment', 'u32', ALIGN],
    ['llama.context_length', 'u32', opts.contextLength ?? 512],
    ['llama.embedding_length', 'u32', embd],
    ['llama.feed_forward_length', 'u32', ff],
    ['llama.attention.head_count', 'u32', heads],
    ['llama.attention.head_count_kv', 'u32', kvHeads],
    ['llama.block_count', 'u32', layers],
    ['llama.rope.dimension_count', 'u32', headDim],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'str[]', v.tokens],
    ['tokenizer.ggml.scores', 'f32[]', v.scores],
    ['tokenizer.ggml.token_type', 'i32[]', v.types],
    ['tokenizer.ggml.unknown_token_id', 'u32', 0],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 4],
    ['tokenizer.ggml.add_bos_token', 'bool', true],
    ['tokenizer.ggml.add_eos_token', 'bool', false],
    ['tokenizer.chat_template', 'str', opts.chatTemplate ?? CHATML],
  ];

  const tensors: Array<{ name: string; dims: number[]; norm: boolean }> = [
    { name: 'token_embd.weight', dims: [embd, nVocab], norm: false },
    { name: 'output_norm.weight', dims: [embd], norm: true },
    { name: 'output.weight', dims: [embd, nVocab], norm: false },
  ];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      { name: `blk.${i}.attn_q.weight`, dims: [embd, embd], norm: false },
      { name: `blk.${i}.attn_k.weight`, dims: [embd, kvDim], norm: false },
      { name: `blk.${i}.attn_v.weight`, dims: [embd, kvDim], norm: false },
      { name: `blk.${i}.attn_output.weight`, dims: [embd, embd], norm: false },
      { name: `blk.${i}.attn_norm.weight`, dims: [embd], norm: true },
      { name: `blk.${i}.ffn_gate.weight`, dims: [embd, ff], norm: false },
      { name: `blk.${i}.ffn_down.weight`, dims: [ff, embd], norm: false },
      { name: `blk.${i}.ffn_up.weight`, dims: [embd, ff], norm: false },
      { name: `blk.${i}.ffn_norm.weight`, dims: [embd], norm: true },
    );
  }

  const rand = mulberry32(opts.seed ?? 1);
  return ggufBuffer(kvs, tensors.map((t) => {
    const data = new Float32Array(t.dims.reduce((a, b) => a * b, 1));
    const scale = 1 / Math.sqrt(t.dims[0]);
    for (let k = 0; k < data.length; k++) data[k] = t.norm ? 1 : (rand() * 2 - 1) * scale * 2;
    return { name: t.name, dims: t.dims, data };
  }));
}

/** GGUF v3 bytes from metadata and F32 tensors (`dims` in GGML order: innermost first). */
export function ggufBuffer(kvs: readonly Kv[], tensors: ReadonlyArray<{ name: string; dims: number[]; data: Float32Array }>): Buffer {
  const w = new Writer();
  w.push(Buffer.from('GGUF', 'latin1'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, type, value] of kvs) {
    w.str(key);
    switch (type) {
      case 'u32': w.u32(T_U32); w.u32(value); break;
      case 'f32': w.u32(T_F32); w.f32(value); break;
      case 'bool': w.u32(T_BOOL); w.push(Buffer.from([value ? 1 : 0])); break;
      case 'str': w.u32(T_STRING); w.str(value); break;
      case 'str[]': w.u32(T_ARRAY); w.u32(T_STRING); w.u64(value.length); for (const s of value) w.str(s); break;
      case 'f32[]': w.u32(T_ARRAY); w.u32(T_F32); w.u64(value.length); for (const x of value) w.f32(x); break;
      case 'i32[]': w.u32(T_ARRAY); w.u32(T_I32); w.u64(value.length); for (const x of value) w.i32(x); break;
    }
  }
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil((t.data.length * 4) / ALIGN) * ALIGN;
  }
  w.pad(ALIGN);
  for (const t of tensors) {
    w.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.pad(ALIGN);
  }
  return w.concat();
}

/**
 * A LoRA adapter GGUF for the tiny model (as llama.cpp's convert_lora_to_gguf writes one): a rank-`rank`
 * pair on `output.weight`, so it visibly shifts the logits. `vocab` must be the tiny model's vocabulary size.
 */
export function tinyLoraBuffer(opts: { embd?: number; vocab?: number; rank?: number; seed?: number; magnitude?: number } = {}): Buffer {
  const embd = opts.embd ?? 32;
  const nVocab = opts.vocab ?? vocab().tokens.length;
  const rank = opts.rank ?? 4;
  const rand = mulberry32(opts.seed ?? 7);
  const m = opts.magnitude ?? 4;
  const fill = (n: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * m);
  return ggufBuffer([
    ['general.architecture', 'str', 'llama'],
    ['general.type', 'str', 'adapter'],
    ['general.alignment', 'u32', ALIGN],
    ['adapter.type', 'str', 'lora'],
    ['adapter.lora.alpha', 'f32', rank],
  ], [
    // lora_a: [n_in, rank]; lora_b: [rank, n_out] — W' = W + scale · B·A
    { name: 'output.weight.lora_a', dims: [embd, rank], data: fill(embd * rank) },
    { name: 'output.weight.lora_b', dims: [rank, nVocab], data: fill(rank * nVocab) },
  ]);
}

/** Writes the tiny model to `file` and returns the path. */
export async function writeTinyGguf(file: string, opts: TinyGgufOptions = {}): Promise<string> {
  await writeFile(file, tinyGgufBuffer(opts));
  return file;
}
