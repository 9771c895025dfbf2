import type { Kysely } from 'kysely';
import type { AuditEvent, AuditSink } from '../gateway/ports.ts';
import { createAuditRepository, type AuditRow, type Database } from '../store/index.ts';
import { chainEvents } from './chain.ts';
import { writeAnchor, readAnchorFile, type AnchorEntry, type AnchorTargets } from './anchor.ts';
import { firstBadSignature, type AnchorSigner } from './anchor-key.ts';
import { verifyChain, type VerifyResult } from './verify.ts';
import { exportRecords, type ExportFormat } from './export.ts';

export interface AuditLogOptions {
  /** Days records are kept by prune() (default 180). */
  retentionDays?: number;
  /** Where anchor() writes the head: a JSON-lines file and/or a syslog receiver. */
  anchor?: AnchorTargets;
  /** Signs each anchor (SM2) so that it can be checked off the host with the public key alone. */
  anchorSigner?: AnchorSigner | null;
  /** Anchor also after this many records since the last anchor, not only on the timer (0 = never). */
  anchorEveryRecords?: number;
  /** How many records at most go into one transaction (default 1000). */
  maxBatch?: number;
  /** How long a commit waits for company when the previous one held several records (default 1 ms; 0 = never). */
  commitDelayMs?: number;
  /** false: plain Kysely transactions for appends (the slower path before 2026-11-29; for benchmarks). Default true. */
  fastAppend?: boolean;
  /** Called after each group commit with how many records it held (metrics, benchmarks). */
  onCommit?: (records: number) => void;
  now?: () => number;
}

export interface AuditLog extends AuditSink {
  /**
   * Walks the whole chain from the genesis or the prune anchor; checks the anchor file too when given
   * (only its anchors of this chain; with `publicKeyPem`, each of them must carry a valid SM2 signature).
   */
  verify(opts?: { anchorFile?: string | null; publicKeyPem?: string | null }): Promise<VerifyResult>;
  /** Records after `afterSeq` in seq order, filtered by action and department, at most `limit`. */
  records(filter: AuditRecordFilter): Promise<AuditRow[]>;
  /** The identity of this chain (the hash of its first record, kept when records are pruned); null while empty. */
  chainId(): Promise<string | null>;
  /** Lines of JSON or CSV (header first) for records with from ≤ time < to. */
  export(opts: { from: number; to: number; format: ExportFormat }): AsyncGenerator<string>;
  /** Deletes records older than the retention, keeping the chain verifiable through a prune anchor. */
  prune(opts?: { before?: number }): Promise<{ deleted: number; anchoredSeq: number | null }>;
  /** Writes the current head {time, seq, hash} to the anchor targets; returns it (null when the chain is empty). */
  anchor(): Promise<AnchorEntry | null>;
  /** Resolves when every record accepted so far is committed (and any anchor they made due is written). */
  flush(): Promise<void>;
  /** Starts the periodic anchor and the daily prune; returns a function that stops them. */
  startMaintenance(opts: { anchorIntervalMs?: number; pruneIntervalMs?: number; onError?: (err: unknown) => void }): () => void;
  close(): Promise<void>;
}

export interface AuditRecordFilter { afterSeq?: number; limit: number; action?: string; tenantId?: string }

interface Waiter { event: AuditEvent; resolve: () => void; reject: (err: unknown) => void }

/**
 * The SM3-chained audit trail. `record()` resolves only after the record's transaction has committed.
 * Records that arrive while a transaction is in flight are grouped into the next one (group commit),
 * so throughput grows with load while each caller still waits for its own durability.
 */
export function createAuditLog(db: Kysely<Database>, opts: AuditLogOptions = {}): AuditLog {
  const repo = createAuditRepository(db, { fastAppend: opts.fastAppend });
  const now = opts.now ?? Date.now;
  const maxBatch = opts.maxBatch ?? 1000;
  const commitDelayMs = opts.commitDelayMs ?? 1;
  let lastBatch = 0;
  let ready: Promise<void> | undefined;
  let isReady = false;
  let pending: Waiter[] = [];
  let writing: Promise<void> | undefined;
  let scheduled = false;
  let closed = false;
  let lastAnchoredSeq = -1;
  let anchoring: Promise<unknown> | undefined;
  let chain: string | null = null;
  const hasAnchorTarget = !!(opts.anchor?.file || opts.anchor?.syslog);
  const anchorEvery = opts.anchorEveryRecords ?? 0;
  const stops = new Set<() => void>();

  const ensureReady = () => (ready ??= repo.ensureHead().then(() => { isReady = true; }, (err) => {
    ready = undefined;
    throw err;
  }));

  let lastCommittedSeq = 0;
  /** Anchors beside the commit path once `anchorEvery` records arrived since the last anchor. */
  function anchorIfDue(): void {
    if (!hasAnchorTarget || anchorEvery <= 0 || anchoring || lastCommittedSeq - lastAnchoredSeq < anchorEvery) return;
    // A failed anchor is retried by the next commit or the timer, never in a loop.
    anchoring = log.anchor().then(() => { anchoring = undefined; anchorIfDue(); }, () => { anchoring = undefined; });
  }

  function schedule(): void {
    if (scheduled || writing) return;
    scheduled = true;
    // Under concurrent load (the last commit carried several records) wait briefly so that more records
    // share the next commit, as PostgreSQL's commit_delay does; a lone request still commits at once.
    if (lastBatch > 1 && commitDelayMs > 0) setTimeout(commitNext, commitDelayMs);
    else setImmediate(commitNext);
  }

  function commitNext(): void {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending.length <= maxBatch ? pending : pending.slice(0, maxBatch);
    pending = pending.length <= maxBatch ? [] : pending.slice(maxBatch);
    lastBatch = batch.length;
    const events = batch.map((w) => w.event);
    const build = (head: { seq: number; hash: string }) => chainEvents(head, events);
    writing = (isReady ? repo.append(build) : ensureReady().then(() => repo.append(build)))
      .then(
        (rows) => {
          for (const w of batch) w.resolve();
          const last = rows.at(-1)?.seq ?? 0;
          if (lastAnchoredSeq < 0 && last) lastAnchoredSeq = last - rows.length; // first commit of this process
          lastCommittedSeq = Math.max(lastCommittedSeq, last);
          anchorIfDue();
          try {
            opts.onCommit?.(batch.length);
          } catch { /* a metrics hook must not break the trail */ }
        },
        (err) => { for (const w of batch) w.reject(err); },
      )
      .finally(() => {
        writing = undefined;
        if (pending.length) schedule();
      });
  }

  async function flush(): Promise<void> {
    while (pending.length || writing || scheduled || anchoring) {
      if (writing) await writing;
      else if (anchoring) await anchoring.catch(() => {});
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  const log: AuditLog = {
    record(event: AuditEvent): Promise<void> {
      if (closed) return Promise.reject(new Error('audit log is closed'));
      return new Promise<void>((resolve, reject) => {
        pending.push({ event, resolve, reject });
        schedule();
      });
    },

    async verify(vopts = {}) {
      await ensureReady();
      const all = vopts.anchorFile ? await readAnchorFile(vopts.anchorFile) : [];
      const id = await log.chainId();
      // Anchors of another chain (another installation, or a database created anew) say nothing about this one.
      const mine = all.filter((a) => id !== null && a.chain === id);
      if (vopts.publicKeyPem) {
        const bad = firstBadSignature(mine, vopts.publicKeyPem);
        if (bad) return { ok: false, seq: bad.seq, reason: `the anchor for seq ${bad.seq} has ${bad.sig ? 'an invalid' : 'no'} SM2 signature (anchor file forged or not from this installation)`, records: 0 };
      }
      const result = await verifyChain(repo, mine);
      return result.ok ? { ...result, anchorsIgnored: all.length - mine.length } : result;
    },

    async records(filter) {
      return repo.list(filter);
    },

    async chainId() {
      if (chain) return chain;
      await ensureReady();
      const known = (await repo.anchors('chain'))[0];
      if (known) return (chain = known.hash);
      // The first record's hash, or for a chain pruned before chains had ids, the oldest prune anchor's.
      const first = (await repo.bySeq(1))?.hash ?? (await repo.anchors('prune'))[0]?.hash;
      if (!first) return null;
      await repo.addAnchor({ seq: 1, hash: first, time: now(), kind: 'chain' });
      return (chain = first);
    },

    export(eopts) {
      return exportRecords(repo, eopts);
    },

    async prune(popts = {}) {
      await ensureReady();
      const before = popts.before ?? now() - (opts.retentionDays ?? 180) * 86_400_000;
      const r = await repo.prune(before, now());
      return { deleted: r.deleted, anchoredSeq: r.anchor?.seq ?? null };
    },

    async anchor() {
      await ensureReady();
      const head = await repo.head();
      if (head.seq === 0) return null;
      const entry: AnchorEntry = { time: now(), seq: head.seq, hash: head.hash, chain: await log.chainId() };
      if (head.seq === lastAnchoredSeq) return entry;
      if (opts.anchorSigner) entry.sig = opts.anchorSigner.sign(entry);
      await writeAnchor(opts.anchor ?? {}, entry);
      lastAnchoredSeq = head.seq;
      return entry;
    },

    flush,

    startMaintenance(m) {
      const onError = m.onError ?? (() => {});
      const timers: NodeJS.Timeout[] = [];
      if (m.anchorIntervalMs && hasAnchorTarget) {
        timers.push(setInterval(() => void log.anchor().catch(onError), m.anchorIntervalMs));
      }
      if (m.pruneIntervalMs) timers.push(setInterval(() => void log.prune().catch(onError), m.pruneIntervalMs));
      for (const t of timers) t.unref();
      const stop = () => {
        for (const t of timers) clearInterval(t);
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },

    async close() {
      for (const stop of [...stops]) stop();
      await flush();
      closed = true;
      // A last anchor on a clean shutdown, so the file always ends at the final head.
      if (opts.anchor?.file || opts.anchor?.syslog) await log.anchor().catch(() => {});
    },
  };
  return log;
}

export type { AuditRow };
