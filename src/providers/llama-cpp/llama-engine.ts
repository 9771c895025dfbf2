/**
 * The embedded llama.cpp engine for one GGUF file: loaded lazily on first use (concurrent first calls
 * share one load) and kept warm; one context with `parallel` sequences that llama.cpp batches together;
 * calls beyond the free sequences wait in a FIFO queue. node-llama-cpp is imported only when a model is
 * first used, so configurations without embedded models never load the native addon.
 */
import type {
  ChatWrapper, Llama, LlamaChat, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaGrammar, LlamaModel,
} from 'node-llama-cpp';
import { UpstreamError } from '../types.ts';
import { ggufProblem } from './check-model-files.ts';

type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LlamaEngineOptions {
  /** Absolute path of the GGUF file. */
  path: string;
  label: string;
  threads: number;
  parallel: number;
  contextSize?: number;
  gpuLayers?: number | 'auto';
  /** LoRA adapters (absolute paths) loaded onto the context; scale defaults to 1. */
  lora?: ReadonlyArray<{ path: string; scale?: number }>;
}

export interface ChatSlot { readonly chat: LlamaChat; readonly sequence: LlamaContextSequence }

interface Loaded {
  nlc: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  wrapper: ChatWrapper;
  free: ChatSlot[];
}

interface Waiter { resolve(slot: ChatSlot): void; reject(err: unknown): void; signal: AbortSignal; onAbort: () => void }

let nlcPromise: Promise<{ nlc: NodeLlamaCpp; llama: Llama }> | undefined;

/** One Llama runtime per process, CPU only, never building or downloading at run time. */
function sharedLlama(): Promise<{ nlc: NodeLlamaCpp; llama: Llama }> {
  nlcPromise ??= (async () => {
    const nlc = await import('node-llama-cpp');
    const llama = await nlc.getLlama({ gpu: false, build: 'never', logLevel: nlc.LlamaLogLevel.error });
    return { nlc, llama };
  })();
  nlcPromise.catch(() => { nlcPromise = undefined; });
  return nlcPromise;
}

const MAX_SCHEMA_GRAMMARS = 64;

export class LlamaEngine {
  readonly opts: LlamaEngineOptions;
  private loading: Promise<Loaded> | undefined;
  private waiters: Waiter[] = [];
  private embedding: Promise<LlamaEmbeddingContext> | undefined;
  private embedChain: Promise<unknown> = Promise.resolve();
  private jsonGrammar: Promise<LlamaGrammar> | undefined;
  private schemaGrammars = new Map<string, Promise<LlamaGrammar>>();
  private closed = false;

  constructor(opts: LlamaEngineOptions) {
    this.opts = opts;
  }

  /** Loads the model once; a failed load is forgotten so a later call may succeed (e.g. after `model pull`). */
  load(): Promise<Loaded> {
    if (this.closed) return Promise.reject(new UpstreamError('connect', `embedded model ${this.opts.label} is closed`, { backend: this.opts.label }));
    if (this.loading === undefined) {
      this.loading = this.doLoad();
      this.loading.catch(() => { this.loading = undefined; });
    }
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const { path, label } = this.opts;
    const problem = await ggufProblem(path);
    if (problem !== null) throw new UpstreamError('connect', `embedded model ${label}: ${problem}`, { backend: label });
    let nlc: NodeLlamaCpp;
    let llama: Llama;
    try {
      ({ nlc, llama } = await sharedLlama());
    } catch (err) {
      throw new UpstreamError('connect', `embedded engine unavailable: ${(err as Error).message}`, { backend: label, cause: err });
    }
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: this.opts.gpuLayers ?? 0 });
    } catch (err) {
      throw new UpstreamError('connect', `embedded model ${label}: cannot load ${path}: ${(err as Error).message}`, { backend: label, cause: err });
    }
    try {
      for (const a of this.opts.lora ?? []) {
        const bad = await ggufProblem(a.path);
        if (bad !== null) throw new UpstreamError('connect', `embedded model ${label}: LoRA adapter: ${bad}`, { backend: label });
      }
      const lora = this.opts.lora?.length ? { adapters: this.opts.lora.map((a) => ({ filePath: a.path, scale: a.scale ?? 1 })) } : undefined;
      const context = await model.createContext({
        sequences: this.opts.parallel,
        threads: this.opts.threads,
        contextSize: this.opts.contextSize ?? { max: 4096 },
        lora,
      });
      const wrapper = nlc.resolveChatWrapper(model);
      const free: ChatSlot[] = [];
      for (let i = 0; i < this.opts.parallel; i++) {
        const sequence = context.getSequence();
        free.push({ sequence, chat: new nlc.LlamaChat({ contextSequence: sequence, chatWrapper: wrapper }) });
      }
      if (this.closed) { await model.dispose(); throw new UpstreamError('connect', `embedded model ${label} is closed`, { backend: label }); }
      return { nlc, llama, model, context, wrapper, free };
    } catch (err) {
      await model.dispose().catch(() => undefined);
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError('connect', `embedded model ${label}: cannot create a context: ${(err as Error).message}`, { backend: label, cause: err });
    }
  }

  /** Waits for a free sequence (FIFO). Rejects with UpstreamError('aborted') when `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<{ slot: ChatSlot; loaded: Loaded }> {
    const loaded = await this.load();
    if (signal.aborted) throw new UpstreamError('aborted', 'request cancelled while queued', { backend: this.opts.label });
    const slot = loaded.free.pop();
    if (slot !== undefined) return { slot, loaded };
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (s) => resolve({ slot: s, loaded }),
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new UpstreamError('aborted', 'request cancelled while queued', { backend: this.opts.label }));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(slot: ChatSlot, loaded: Loaded): void {
    const next = this.waiters.shift();
    if (next !== undefined) {
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve(slot);
    } else {
      loaded.free.push(slot);
    }
  }

  /** Number of calls waiting for a sequence. */
  get queued(): number { return this.waiters.length; }

  grammarForJson(loaded: Loaded): Promise<LlamaGrammar> {
    this.jsonGrammar ??= loaded.llama.getGrammarFor('json');
    return this.jsonGrammar;
  }

  grammarForSchema(loaded: Loaded, schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let g = this.schemaGrammars.get(key);
    if (g === undefined) {
      g = loaded.llama.createGrammarForJsonSchema(schema as never) as Promise<LlamaGrammar>;
      g.catch(() => this.schemaGrammars.delete(key));
      if (this.schemaGrammars.size >= MAX_SCHEMA_GRAMMARS) this.schemaGrammars.delete(this.schemaGrammars.keys().next().value as string);
      this.schemaGrammars.set(key, g);
    }
    return g;
  }

  /** Embeds texts (or token arrays) one after another on a lazily created embedding context. */
  async embed(inputs: Array<string | number[]>, signal: AbortSignal): Promise<{ vectors: number[][]; tokens: number }> {
    const loaded = await this.load();
    this.embedding ??= loaded.model.createEmbeddingContext({ threads: this.opts.threads, contextSize: this.opts.contextSize ?? { max: 4096 } });
    const ctxPromise = this.embedding;
    ctxPromise.catch(() => { this.embedding = undefined; });
    const run = this.embedChain.then(async () => {
      const ectx = await ctxPromise;
      const vectors: number[][] = [];
      let tokens = 0;
      for (const input of inputs) {
        if (signal.aborted) throw new UpstreamError('aborted', 'request cancelled', { backend: this.opts.label });
        const toks = typeof input === 'string' ? loaded.model.tokenize(input) : input;
        tokens += toks.length;
        const e = await ectx.getEmbeddingFor(toks as never);
        vectors.push(Array.from(e.vector));
      }
      return { vectors, tokens };
    });
    this.embedChain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      w.signal.removeEventListener('abort', w.onAbort);
      w.reject(new UpstreamError('aborted', 'embedded model closing', { backend: this.opts.label }));
    }
    const loading = this.loading;
    this.loading = undefined;
    if (loading === undefined) return;
    const loaded = await loading.catch(() => undefined);
    if (loaded === undefined) return;
    const emb = await this.embedding?.catch(() => undefined);
    await emb?.dispose().catch(() => undefined);
    await loaded.context.dispose().catch(() => undefined);
    await loaded.model.dispose().catch(() => undefined);
  }
}
