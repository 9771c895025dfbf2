import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { sqliteAppender } from '../store/index.ts';
import type { AuditEvent } from '../gateway/ports.ts';
import { chainEvents } from './chain.ts';

/**
 * The worker side of append-thread.ts: its own connection to the SQLite file, one `BEGIN IMMEDIATE`
 * transaction per group (the same appender as on the calling thread), answered with the last seq written.
 */
const sqlite = new SQLite((workerData as { filename: string }).filename);
sqlite.pragma('busy_timeout = 30000');
sqlite.pragma('synchronous = NORMAL');
const append = sqliteAppender(sqlite);

parentPort!.on('message', (msg: { id: number; events: AuditEvent[] } | 'close') => {
  if (msg === 'close') {
    sqlite.close();
    parentPort!.close();
    return;
  }
  try {
    const rows = append((head) => chainEvents(head, msg.events));
    parentPort!.postMessage({ id: msg.id, lastSeq: rows.at(-1)?.seq ?? 0, count: rows.length });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
