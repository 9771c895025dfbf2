import type { Finding } from './types.ts';
import { PLACEHOLDER_LABELS, PLACEHOLDER_SOURCE, CLOSE, OPEN, placeholderKey, sanitizeLabel } from './placeholder.ts';
import { createStreamRestorer } from './stream-restorer.ts';
import type { StreamRestorer, StreamRestorerOptions } from './stream-restorer.ts';

const PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE, 'g');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Reversible pseudonymization for one conversation. Each sensitive value becomes a typed placeholder
 * (〔手机号_1〕); the same value always gets the same placeholder within a vault, and `restore` puts the
 * originals back. Text that already looks like a placeholder is itself vaulted or reserved, so
 * restore(pseudonymize(x)) === x for any x. The contents are never exposed by toString, JSON or inspect.
 *
 * @example
 * const vault = new Vault();
 * const out = vault.pseudonymize(text, guard.scan(text).findings);   // "请联系〔姓名_1〕，电话〔手机号_1〕"
 * vault.restore(modelAnswer);                                         // originals back
 */
export class Vault {
  readonly #byValue = new Map<string, string>();
  readonly #byKey = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  readonly #reserved = new Set<string>();

  /** Number of distinct values held. */
  get size(): number {
    return this.#byKey.size;
  }

  #placeholderFor(label: string, value: string): string {
    const vk = `${label}\u0000${value}`;
    const existing = this.#byValue.get(vk);
    if (existing) return existing;
    let n = this.#counters.get(label) ?? 0;
    let key: string;
    do key = `${label}_${++n}`;
    while (this.#reserved.has(key) || this.#byKey.has(key));
    this.#counters.set(label, n);
    const placeholder = `${OPEN}${key}${CLOSE}`;
    this.#byValue.set(vk, placeholder);
    this.#byKey.set(key, value);
    return placeholder;
  }

  /** Vault (or reserve) placeholder-like text already present in an unreplaced segment. */
  #segment(text: string): string {
    if (text.length === 0) return text;
    PLACEHOLDER.lastIndex = 0;
    if (!PLACEHOLDER.test(text)) return text;
    PLACEHOLDER.lastIndex = 0;
    return text.replace(PLACEHOLDER, (literal: string, label: string, idx: string) => {
      const key = placeholderKey(label, idx);
      if (this.#byKey.has(key)) return this.#placeholderFor(label, literal);
      this.#reserved.add(key);
      return literal;
    });
  }

  /**
   * Replace each finding's value with its placeholder. Findings are offsets into `text`; overlapping ones
   * are resolved outermost first, and invalid ones ignored.
   */
  pseudonymize(text: string, findings: readonly Finding[]): string {
    const sorted = findings
      .filter((f) => Number.isInteger(f.start) && Number.isInteger(f.end) && f.start >= 0 && f.end <= text.length && f.start < f.end)
      .slice()
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const parts: string[] = [];
    let pos = 0;
    for (const f of sorted) {
      if (f.start < pos) continue;
      parts.push(this.#segment(text.slice(pos, f.start)));
      const fallback = PLACEHOLDER_LABELS[f.type] ?? '敏感信息';
      const label = f.type === 'custom_term' ? sanitizeLabel(f.label, fallback) : fallback;
      parts.push(this.#placeholderFor(label, text.slice(f.start, f.end)));
      pos = f.end;
    }
    parts.push(this.#segment(text.slice(pos)));
    return parts.join('');
  }

  /** Put original values back; tolerates spaces, other brackets and full-width digits that models introduce. */
  restore(text: string): string {
    if (this.#byKey.size === 0 || text.length === 0) return text;
    PLACEHOLDER.lastIndex = 0;
    // An inline callback: a function stored on each instance would be named (tsx's keepNames) on every new Vault.
    return text.replace(PLACEHOLDER, (match: string, label: string, idx: string) => this.#byKey.get(placeholderKey(label, idx)) ?? match);
  }

  /**
   * `text` with every placeholder this vault issued blanked out (U+3000, same length, so offsets hold): what
   * a placeholder stands for came from the request, so a check of the model's own words need not read it —
   * nor take its label (〔姓名_1〕, 〔银行卡号_1〕) for context. Placeholder-like text the vault did not issue stays.
   */
  blankPlaceholders(text: string): string {
    if (this.#byKey.size === 0 || text.length === 0) return text;
    PLACEHOLDER.lastIndex = 0;
    return text.replace(PLACEHOLDER, (match: string, label: string, idx: string) => (this.#byKey.has(placeholderKey(label, idx)) ? '\u3000'.repeat(match.length) : match));
  }

  /** Restore placeholders inside JSON strings (tool-call arguments), escaping values as JSON requires. */
  restoreJson(jsonText: string): string {
    if (this.#byKey.size === 0) return jsonText;
    if (jsonText.includes('\\u')) {
      // Models sometimes escape CJK as \uXXXX: decode, restore every string, re-encode.
      try {
        const restored = this.#restoreValue(JSON.parse(jsonText));
        return JSON.stringify(restored);
      } catch {
        // Not complete JSON: fall through to textual restore.
      }
    }
    PLACEHOLDER.lastIndex = 0;
    return jsonText.replace(PLACEHOLDER, (m: string, label: string, idx: string) => {
      const v = this.#byKey.get(placeholderKey(label, idx));
      return v === undefined ? m : JSON.stringify(v).slice(1, -1);
    });
  }

  #restoreValue(v: unknown): unknown {
    if (typeof v === 'string') return this.restore(v);
    if (Array.isArray(v)) return v.map((x) => this.#restoreValue(x));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[this.restore(k)] = this.#restoreValue(x);
      return o;
    }
    return v;
  }

  /** A restorer for streamed output; `{ json: true }` for streamed tool-call arguments. */
  createStreamRestorer(options: StreamRestorerOptions = {}): StreamRestorer {
    const restoreOne = options.json
      ? (t: string): string => {
        PLACEHOLDER.lastIndex = 0;
        return this.#byKey.size === 0 ? t : t.replace(PLACEHOLDER, (m: string, label: string, idx: string) => {
          const v = this.#byKey.get(placeholderKey(label, idx));
          return v === undefined ? m : JSON.stringify(v).slice(1, -1);
        });
      }
      : (t: string): string => this.restore(t);
    return createStreamRestorer(restoreOne);
  }

  toJSON(): { size: number } {
    return { size: this.size };
  }

  toString(): string {
    return `Vault { size: ${this.size} }`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}
