import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../util/ts-worker.ts';
import type { AuditEvent } from '../gateway/ports.ts';

/** What one committed group reports: the seq of its last record and how many it held. */
export interface AppendResult { lastSeq: number; count: number }

export interface AppendThread {
  append(events: AuditEvent[]): Promise<AppendResult>;
  close(): Promise<void>;
}

interface Pending { resolve: (r: AppendResult) => void; reject: (err: Error) => void }

/**
 * Group commits of a file-backed SQLite audit chain, run on a thread of their own: hashing the group (SM3)
 * and the write transaction, with its WAL work and checkpoints, leave the event loop that serves requests.
 * The worker holds its own connection and takes the write lock per group like any other writer, so the
 * chain's order and every check of the calling-thread path hold unchanged. A worker that dies fails the
 * groups in flight (their callers see the error, nothing is reported as written) and is replaced for the next.
 */
export function createAppendThread(filename: string): AppendThread {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  function spawn(): Worker {
    const w = startTsWorker(new URL('./append-worker.ts', import.meta.url), { workerData: { filename } });
    w.unref();
    w.on('message', (m: { id: number; lastSeq?: number; count?: number; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref(); // an idle worker does not keep the process alive
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve({ lastSeq: m.lastSeq!, count: m.count! });
    });
    const fail = (err: Error) => {
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the audit writer thread stopped (exit ${code})`)));
    return w;
  }

  return {
    append(events) {
      worker ??= spawn();
      const w = worker;
      const id = ++nextId;
      return new Promise<AppendResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ id, events });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.ref(); // the process waits for the connection to close
      w.postMessage('close');
      await exited;
    },
  };
}
