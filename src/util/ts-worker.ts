import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript module of this project. The sources run through tsx (bin/yumen.js,
 * npm start, tests), so the worker registers tsx before it loads `entry`.
 */
export function startTsWorker(entry: URL, opts: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`, { ...opts, eval: true });
}
