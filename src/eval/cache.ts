import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChatAnswer, ChatCall } from './client.ts';

type Kept = Exclude<ChatAnswer, { kind: 'error' }>;

/**
 * Answers already received, kept in a JSONL file beside the results so an interrupted or repeated run
 * asks no model twice for the same call. Errors are never kept: a resumed run tries them again.
 */
export class AnswerCache {
  readonly #file: string | null;
  readonly #answers = new Map<string, Kept>();

  constructor(file: string | null) {
    this.#file = file;
    if (!file || !existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { key, answer } = JSON.parse(line) as { key: string; answer: Kept };
        this.#answers.set(key, answer);
      } catch { /* a line cut short by a crash: that call is asked again */ }
    }
  }

  static key(call: ChatCall): string {
    return createHash('sha256').update(JSON.stringify(call)).digest('hex');
  }

  get size(): number {
    return this.#answers.size;
  }

  get(call: ChatCall): Kept | undefined {
    return this.#answers.get(AnswerCache.key(call));
  }

  set(call: ChatCall, answer: ChatAnswer): void {
    if (answer.kind === 'error') return;
    const key = AnswerCache.key(call);
    this.#answers.set(key, answer);
    if (!this.#file) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    appendFileSync(this.#file, `${JSON.stringify({ key, answer })}\n`);
  }
}
