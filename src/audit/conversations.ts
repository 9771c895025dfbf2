import type { Kysely } from 'kysely';
import { createConversationRepository, type Database, type StoredConversation } from '../store/index.ts';

export interface ConversationCaptureOptions {
  /** Off by default: nothing is stored unless enabled. */
  enabled: boolean;
  /** Department names whose conversations are kept; null = every department (when enabled). */
  tenants: string[] | null;
  flushIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface CapturedConversation {
  requestId: string;
  tenantId: string;
  tenantName: string;
  keyId: string | null;
  model: string;
  zone: string | null;
  /** Request messages exactly as handed over — the gateway passes them already redacted as for the external zone. */
  messages: unknown[];
  completion: string | null;
  /** The app slug the call went through, if any. */
  app?: string | null;
  time?: number;
}

/**
 * Optional storage of conversations for the data flywheel. It stores what it is given: the gateway
 * is responsible for handing over redacted text. Writes are batched off the request path.
 */
export function createConversationCapture(db: Kysely<Database>, opts: ConversationCaptureOptions) {
  const repo = createConversationRepository(db);
  const tenants = opts.tenants ? new Set(opts.tenants) : null;
  let pending: StoredConversation[] = [];
  let flushing: Promise<void> | undefined;
  const timer = setInterval(() => void flush(), opts.flushIntervalMs ?? 500);
  timer.unref();

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    flushing = repo.insertMany(batch).catch((err) => {
      pending = batch.concat(pending);
      opts.onError?.(err);
    }).finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    /** Whether conversations of this department are kept (by department name or id). */
    enabledFor(tenant: { tenantId: string; tenantName: string }): boolean {
      return opts.enabled && (tenants === null || tenants.has(tenant.tenantName) || tenants.has(tenant.tenantId));
    },
    capture(c: CapturedConversation): void {
      if (!this.enabledFor(c)) return;
      pending.push({ id: c.requestId, createdAt: c.time ?? Date.now(), tenantId: c.tenantId, keyId: c.keyId, model: c.model, zone: c.zone, messages: c.messages, completion: c.completion, app: c.app ?? null });
      if (pending.length >= 200) void flush();
    },
    list: repo.list,
    findById: repo.findById,
    /** Deletes conversations older than `days`. */
    async prune(days: number, now = Date.now()): Promise<number> {
      return repo.deleteBefore(now - days * 86_400_000);
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
      if (pending.length) await flush();
    },
  };
}
export type ConversationCapture = ReturnType<typeof createConversationCapture>;
