import { yumenError } from '../../util/errors.ts';

export interface FairQueueOptions {
  maxConcurrency: number;
  /** Waiting calls beyond which enter() fails at once with 429. */
  maxQueue: number;
  /** Longest wait for a slot before 429. */
  maxWaitMs: number;
}

export interface QueueClass { tenantId: string; weight: number; priority: number }

interface Waiter {
  tag: number;
  order: number;
  resolve: (release: () => void) => void;
  reject: (err: unknown) => void;
  cleanup: () => void;
}

interface Flow { queue: Waiter[]; lastTag: number; weight: number; priority: number }

export interface QueueStats { active: number; queued: number; byTenant: Record<string, { queued: number; served: number }> }

/**
 * A concurrency limit for one backend with weighted fair queuing across departments.
 * Each waiter gets a virtual finish tag `max(V, last tag of its department) + 1/weight`; a free slot
 * goes to the highest priority class first and within it to the smallest tag, and V becomes that tag.
 * Departments that keep the queue busy are therefore served in proportion to their weights, and an idle
 * department banks no credit. A waiter whose signal aborts or whose wait expires leaves the queue.
 */
export class FairQueue {
  readonly #opts: FairQueueOptions;
  readonly #flows = new Map<string, Flow>();
  readonly #served = new Map<string, number>();
  #active = 0;
  #queued = 0;
  #vtime = 0;
  #order = 0;

  constructor(opts: FairQueueOptions) {
    this.#opts = opts;
  }

  /** Resolves with a release function once a slot is granted. */
  enter(cls: QueueClass, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.#active < this.#opts.maxConcurrency && this.#queued === 0) {
      this.#active++;
      this.#count(cls.tenantId);
      return Promise.resolve(this.#releaser());
    }
    if (this.#queued >= this.#opts.maxQueue) {
      return Promise.reject(yumenError('rate_limited', 'The model is busy and its queue is full; retry shortly. / 模型繁忙，排队已满，请稍后重试。', { headers: { 'retry-after': '1' } }));
    }
    let flow = this.#flows.get(cls.tenantId);
    if (!flow) {
      flow = { queue: [], lastTag: 0, weight: cls.weight, priority: cls.priority };
      this.#flows.set(cls.tenantId, flow);
    }
    flow.weight = cls.weight;
    flow.priority = cls.priority;
    const f = flow;
    const tag = Math.max(this.#vtime, f.lastTag) + 1 / cls.weight;
    f.lastTag = tag;
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { tag, order: this.#order++, resolve, reject, cleanup: () => {} };
      const leave = (err: unknown) => {
        const i = f.queue.indexOf(waiter);
        if (i < 0) return;
        f.queue.splice(i, 1);
        this.#queued--;
        // A department whose last waiter left gives back that waiter's share of virtual time.
        if (i === f.queue.length) f.lastTag = f.queue.length ? f.queue[f.queue.length - 1].tag : Math.max(this.#vtime, tag - 1 / f.weight);
        waiter.cleanup();
        reject(err);
      };
      const timer = setTimeout(() => leave(yumenError('rate_limited',
        `Waited ${this.#opts.maxWaitMs} ms for the model without getting a slot; retry shortly. / 等待模型超时，请稍后重试。`,
        { headers: { 'retry-after': String(Math.max(1, Math.ceil(this.#opts.maxWaitMs / 1000))) } })), this.#opts.maxWaitMs);
      const onAbort = () => leave(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      f.queue.push(waiter);
      this.#queued++;
    });
  }

  stats(): QueueStats {
    const byTenant: QueueStats['byTenant'] = {};
    for (const [t, n] of this.#served) byTenant[t] = { queued: this.#flows.get(t)?.queue.length ?? 0, served: n };
    for (const [t, f] of this.#flows) byTenant[t] ??= { queued: f.queue.length, served: 0 };
    return { active: this.#active, queued: this.#queued, byTenant };
  }

  #count(tenantId: string): void {
    this.#served.set(tenantId, (this.#served.get(tenantId) ?? 0) + 1);
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#active--;
      this.#dispatch();
    };
  }

  #dispatch(): void {
    while (this.#active < this.#opts.maxConcurrency && this.#queued > 0) {
      let best: Flow | undefined;
      let bestTenant = '';
      for (const [tenant, f] of this.#flows) {
        const head = f.queue[0];
        if (!head) continue;
        if (!best || f.priority > best.priority || (f.priority === best.priority && (head.tag < best.queue[0].tag || (head.tag === best.queue[0].tag && head.order < best.queue[0].order)))) {
          best = f;
          bestTenant = tenant;
        }
      }
      if (!best) return;
      const w = best.queue.shift()!;
      this.#queued--;
      this.#vtime = Math.max(this.#vtime, w.tag);
      this.#active++;
      this.#count(bestTenant);
      w.cleanup();
      w.resolve(this.#releaser());
    }
  }
}

function cancelled() {
  return yumenError('client_closed', 'The request was cancelled while waiting for the model.');
}
