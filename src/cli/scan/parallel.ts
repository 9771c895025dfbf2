import type { Worker } from 'node:worker_threads';
import { maxLevel, type Level } from '../../guard/index.ts';
import { startTsWorker } from '../../util/ts-worker.ts';
import { jsonlChunks, type JsonlChunkResult, type ScanSetup } from './jsonl.ts';

/** Chunks a worker holds at once: one it scans and one waiting, so it never idles between them. */
const PER_WORKER = 2;

/**
 * Scans JSONL input on `jobs` worker threads, each with its own guard, and writes the output in input order
 * (the same bytes a scan on one thread writes). Stops at the first line that is not a record, having written
 * everything before it, and returns that line's error.
 */
export async function scanJsonlParallel(input: string, jobs: number, setup: ScanSetup, write: (s: string) => void): Promise<{ level: Level; error: string | null }> {
  const workers: Worker[] = [];
  try {
    return await new Promise((resolve, reject) => {
      const source = jsonlChunks(input);
      const done = new Map<number, JsonlChunkResult>();
      let next = 0;
      let sent = 0;
      let exhausted = false;
      let level: Level = 'public';
      let finished = false;
      const settle = (end: () => void): void => {
        if (finished) return;
        finished = true;
        end();
      };
      /** Sends the worker the next chunk; with none left, settles once every chunk sent has been written. */
      const feed = (w: Worker): void => {
        if (!exhausted) {
          const c = source.next();
          if (!c.done) {
            sent++;
            w.postMessage(c.value);
            return;
          }
          exhausted = true;
        }
        if (next === sent) settle(() => resolve({ level, error: null }));
      };
      for (let i = 0; i < jobs; i++) {
        const w = startTsWorker(new URL('./worker.ts', import.meta.url), { workerData: setup });
        workers.push(w);
        w.on('error', (err) => settle(() => reject(err)));
        w.on('exit', (code) => { if (code !== 0) settle(() => reject(new Error(`a scan worker stopped (exit code ${code})`))); });
        w.on('message', (m: { ready: true } | (JsonlChunkResult & { id: number })) => {
          if (finished) return;
          if ('ready' in m) {
            for (let k = 0; k < PER_WORKER; k++) feed(w);
            return;
          }
          done.set(m.id, m);
          for (let r = done.get(next); r !== undefined; r = done.get(next)) {
            done.delete(next++);
            write(r.out);
            level = maxLevel(level, r.level);
            const error = r.error;
            if (error !== null) return settle(() => resolve({ level, error }));
          }
          feed(w);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
