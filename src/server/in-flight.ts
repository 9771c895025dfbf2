import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Tracks requests that call a model, so a graceful shutdown can let them finish within a bound
 * and then abort the rest (which cancels their upstream calls).
 */
export class InFlight {
  readonly #active = new Map<string, AbortController>();
  #idle: (() => void) | undefined;

  get size(): number {
    return this.#active.size;
  }

  /** The controller aborts when the client goes away before the response is complete. */
  begin(request: FastifyRequest, reply: FastifyReply): AbortController {
    const controller = new AbortController();
    this.#active.set(request.id, controller);
    const res = reply.raw;
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
    });
    return controller;
  }

  end(request: FastifyRequest): void {
    if (this.#active.delete(request.id) && this.#active.size === 0) this.#idle?.();
  }

  /** Resolves when nothing is in flight, or after `graceMs`, when whatever is left is aborted. */
  async drain(graceMs: number): Promise<void> {
    if (this.#active.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const c of this.#active.values()) c.abort(new Error('server shutting down'));
        resolve();
      }, graceMs);
      this.#idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
