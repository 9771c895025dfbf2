import type { KnowledgeService } from './service.ts';

export interface JobWorker { stop(): Promise<void>; kick(): void }

/**
 * The background ingest worker of a running server: jobs live in the database (kb_jobs), so a restart
 * resumes them. Jobs left `running` longer than `staleMs` (default 10 min) by a process that stopped are
 * queued again; a CLI `yumen kb add` working on the same database meanwhile keeps its own fresh jobs.
 * Jobs of one batch run together (one write per ~4 MB of files; see KnowledgeService.runJobs). At start it
 * first rebuilds the index of bases written by an older version.
 */
export function startJobWorker(service: KnowledgeService, opts: { pollMs?: number; staleMs?: number; onError?: (err: unknown) => void } = {}): JobWorker {
  const pollMs = opts.pollMs ?? 2000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const staleMs = opts.staleMs ?? 600_000;
  const loop = async () => {
    try {
      await service.rebuildStale();
    } catch (err) { opts.onError?.(err); }
    while (!stopped) {
      try {
        await service.requeueStale(staleMs);
      } catch (err) { opts.onError?.(err); }
      let worked = false;
      try {
        worked = (await service.runJobs()).length > 0;
      } catch (err) { opts.onError?.(err); }
      if (worked) continue;
      await new Promise<void>((r) => { wake = r; timer = setTimeout(r, pollMs); timer.unref(); });
    }
  };
  running = loop();
  return {
    kick() { if (timer) clearTimeout(timer); wake?.(); },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
