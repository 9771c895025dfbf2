import type { OutputItem, ResponseInputItem } from './responses.ts';

/**
 * Output items of recent Responses, so a client may send them back as `{"type":"item_reference","id":…}` — what
 * the AI SDK does by default in multi-step tool loops. Bounded and short-lived (this is not OpenAI's `store`):
 * in process memory of one node, for the API key that received them, oldest evicted first. A reference that is
 * not here (another key, another node, expired) is refused and the client sends the items themselves.
 */
export interface ResponseItemCacheOptions {
  maxItems?: number;
  ttlMs?: number;
  now?: () => number;
}

interface Entry { owner: string; item: ResponseInputItem; expires: number }

export class ResponseItemCache {
  readonly #items = new Map<string, Entry>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: ResponseItemCacheOptions = {}) {
    this.#max = opts.maxItems ?? 5000;
    this.#ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Remember the finished output items of a response for `owner` (an API key id). */
  remember(owner: string, output: readonly OutputItem[]): void {
    const expires = this.#now() + this.#ttlMs;
    for (const item of output) {
      const input: ResponseInputItem = item.type === 'message'
        ? { type: 'message', role: 'assistant', content: item.content.map((p) => ({ type: 'output_text', text: p.text })) }
        : { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments };
      this.#items.delete(item.id);
      this.#items.set(item.id, { owner, item: input, expires });
    }
    while (this.#items.size > this.#max) this.#items.delete(this.#items.keys().next().value as string);
  }

  /** The item behind `id` when `owner` received it and it has not expired. */
  lookup(owner: string, id: string): ResponseInputItem | undefined {
    const e = this.#items.get(id);
    if (!e) return undefined;
    if (e.expires <= this.#now()) {
      this.#items.delete(id);
      return undefined;
    }
    return e.owner === owner ? e.item : undefined;
  }
}
