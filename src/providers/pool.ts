/**
 * A configured model as one {@link ModelHandle} over one or more backends: weighted round-robin or
 * least-in-flight, retries with backoff on connect errors / timeouts / 429 / 5xx before the first byte,
 * fail-over to the next backend, and a cool-down for a failing backend. Nothing is retried once a
 * stream has been handed to the caller.
 */
import type { ModelConfig } from '../config/types.ts';
import type { Backend, BackendFactoryOptions } from './backend.ts';
import { GuardedStream } from './guarded-stream.ts';
import { UpstreamError } from './types.ts';
import type {
  Capabilities, CallContext, ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingsRequest, EmbeddingsResponse,
  ModelHandle, RerankRequest, RerankResponse, ServedBy, Zone,
} from './types.ts';

export const DEFAULT_RETRIES = 2;
export const DEFAULT_COOLDOWN_MS = 10_000;
export const DEFAULT_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

interface Slot {
  readonly backend: Backend;
  readonly weight: number;
  readonly servedBy: ServedBy;
  inFlight: number;
  ejectedUntil: number;
  /** Smooth weighted round-robin state (nginx's algorithm). */
  current: number;
}

export interface PoolStats { model: string; backend: string; inFlight: number; healthy: boolean; ejectedUntil?: number }

export class PooledModel implements ModelHandle {
  readonly name: string;
  readonly zone: Zone;
  readonly provider: string;
  readonly capabilities: Capabilities;
  private readonly slots: Slot[];
  private readonly leastInFlight: boolean;
  private readonly maxAttempts: number;
  private readonly cooldownMs: number;
  private readonly backoffMs: number;
  private readonly logger: BackendFactoryOptions['logger'];
  private rotation = 0;

  constructor(cfg: ModelConfig, backends: Backend[], capabilities: Capabilities, opts: BackendFactoryOptions = {}) {
    if (backends.length === 0) throw new Error(`model ${cfg.name}: no backends`);
    this.name = cfg.name;
    this.zone = cfg.zone;
    this.provider = cfg.provider;
    this.capabilities = Object.freeze({ ...capabilities });
    this.slots = backends.map((backend) => ({
      backend,
      weight: backend.weight > 0 ? backend.weight : 1,
      servedBy: Object.freeze({ model: cfg.name, backend: backend.label, zone: cfg.zone }),
      inFlight: 0,
      ejectedUntil: 0,
      current: 0,
    }));
    this.leastInFlight = cfg.balance === 'least-in-flight';
    const retries = typeof cfg.retries === 'number' ? cfg.retries : Math.max(DEFAULT_RETRIES, backends.length - 1);
    this.maxAttempts = 1 + Math.max(0, retries);
    this.cooldownMs = typeof cfg.cooldown_ms === 'number' ? cfg.cooldown_ms : DEFAULT_COOLDOWN_MS;
    this.backoffMs = typeof cfg.backoff_ms === 'number' ? cfg.backoff_ms : DEFAULT_BACKOFF_MS;
    this.logger = opts.logger;
  }

  async chat(req: ChatRequest, ctx: CallContext): Promise<{ completion: ChatCompletion; servedBy: ServedBy }> {
    const { value, slot } = await this.attempt(ctx, chatOp, req);
    slot.inFlight--;
    return { completion: value, servedBy: slot.servedBy };
  }

  async chatStream(req: ChatRequest, ctx: CallContext): Promise<{ stream: AsyncIterable<ChatCompletionChunk>; servedBy: ServedBy }> {
    const { value, slot } = await this.attempt(ctx, streamOp, req);
    return { stream: tracked(value, slot), servedBy: slot.servedBy };
  }

  async embeddings(req: EmbeddingsRequest, ctx: CallContext): Promise<{ response: EmbeddingsResponse; servedBy: ServedBy }> {
    const { value, slot } = await this.attempt(ctx, embeddingsOp, req);
    slot.inFlight--;
    return { response: value, servedBy: slot.servedBy };
  }

  async rerank(req: RerankRequest, ctx: CallContext): Promise<{ response: RerankResponse; servedBy: ServedBy }> {
    const { value, slot } = await this.attempt(ctx, rerankOp, req);
    slot.inFlight--;
    return { response: value, servedBy: slot.servedBy };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.slots.map((s) => s.backend.close()));
  }

  stats(now = Date.now()): PoolStats[] {
    return this.slots.map((s) => {
      const healthy = s.ejectedUntil <= now;
      const row: PoolStats = { model: this.name, backend: s.backend.label, inFlight: s.inFlight, healthy };
      if (!healthy) row.ejectedUntil = s.ejectedUntil;
      return row;
    });
  }

  /** Runs `op` on chosen backends until it succeeds or a non-retryable error; the returned slot keeps its in-flight count. */
  private async attempt<R, T>(ctx: CallContext, op: (b: Backend, req: R, ctx: CallContext) => Promise<T>, req: R): Promise<{ value: T; slot: Slot }> {
    let tried: Slot[] | undefined;
    let lastErr: UpstreamError | undefined;
    for (let n = 0; n < this.maxAttempts; n++) {
      const slot = this.pick(tried);
      if (tried !== undefined && tried.includes(slot)) {
        // Retrying a backend already tried (no other left): back off first.
        await sleep(Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (n - 1)), ctx.signal);
      }
      (tried ??= []).push(slot);
      slot.inFlight++;
      try {
        const value = await op(slot.backend, req, ctx);
        return { value, slot };
      } catch (err) {
        slot.inFlight--;
        if (!(err instanceof UpstreamError)) throw err;
        if (!err.retryable || ctx.signal.aborted) throw err;
        this.eject(slot, err);
        lastErr = err;
      }
    }
    throw lastErr as UpstreamError;
  }

  private eject(slot: Slot, err: UpstreamError): void {
    if (this.cooldownMs <= 0) return;
    slot.ejectedUntil = Date.now() + this.cooldownMs;
    this.logger?.warn({ model: this.name, backend: slot.backend.label, kind: err.kind, status: err.status, cooldownMs: this.cooldownMs }, 'backend ejected');
  }

  private pick(tried: Slot[] | undefined): Slot {
    const slots = this.slots;
    if (slots.length === 1) return slots[0];
    const now = Date.now();
    let candidates = slots.filter((s) => s.ejectedUntil <= now && (tried === undefined || !tried.includes(s)));
    if (candidates.length === 0) {
      candidates = slots.filter((s) => tried === undefined || !tried.includes(s));
      if (candidates.length === 0) candidates = slots;
      // All ejected: try the one that recovers first rather than failing without trying.
      let best = candidates[0];
      for (const s of candidates) if (s.ejectedUntil < best.ejectedUntil) best = s;
      return best;
    }
    if (candidates.length === 1) return candidates[0];
    return this.leastInFlight ? this.pickLeastInFlight(candidates) : pickWeighted(candidates);
  }

  private pickLeastInFlight(candidates: Slot[]): Slot {
    const len = candidates.length;
    const start = this.rotation++ % len;
    let best = candidates[start];
    for (let i = 1; i < len; i++) {
      const s = candidates[(start + i) % len];
      if (s.inFlight / s.weight < best.inFlight / best.weight) best = s;
    }
    return best;
  }
}

function pickWeighted(candidates: Slot[]): Slot {
  let total = 0;
  let best: Slot | undefined;
  for (const s of candidates) {
    s.current += s.weight;
    total += s.weight;
    if (best === undefined || s.current > best.current) best = s;
  }
  (best as Slot).current -= total;
  return best as Slot;
}

function chatOp(b: Backend, req: ChatRequest, ctx: CallContext): Promise<ChatCompletion> { return b.chat(req, ctx); }
function streamOp(b: Backend, req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatCompletionChunk>> { return b.chatStream(req, ctx); }
function embeddingsOp(b: Backend, req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse> { return b.embeddings(req, ctx); }

function rerankOp(b: Backend, req: RerankRequest, ctx: CallContext): Promise<RerankResponse> { return b.rerank(req, ctx); }

function tracked(stream: AsyncIterable<ChatCompletionChunk>, slot: Slot): AsyncIterableIterator<ChatCompletionChunk> {
  return new GuardedStream(stream, () => { slot.inFlight--; });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new UpstreamError('aborted', 'request cancelled during retry backoff'));
    };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
