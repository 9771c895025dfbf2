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
      const finish = (error: string | null): void => {
        finished = true;
        resolve({ level, error });
      };
      const feed = (w: Worker): void => {
        if (exhausted) return;
        const c = source.next();
        if (c.done) {
          exhausted = true;
          if (next === sent) finish(null);
          return;
        }
        sent++;
        w.postMessage(c.value);
      };
      for (let i = 0; i < jobs; i++) {
        const w = startTsWorker(new URL('./worker.ts', import.meta.url), { workerData: setup });
        workers.push(w);
        w.on('error', (err) => { if (!finished) { finished = true; reject(err); } });
        w.on('exit', (code) => { if (!finished && code !== 0) { finished = true; reject(new Error(`a scan worker stopped (exit code ${code})`)); } });
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
            if (r.error !== null) return finish(r.error);
          }
          feed(w);
          if (exhausted && next === sent) finish(null);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
