import { yumenError } from '../util/errors.ts';
import { CHAT_REQUEST_SHAPE, EMBEDDINGS_REQUEST_SHAPE, fieldNames } from './request-shape.ts';

/** Deeper bodies are refused: nothing in the OpenAI API nests this far, and recursion must stay bounded. */
export const MAX_BODY_DEPTH = 64;

/** Object keys that are the API's own structure (never content), so they are not scanned. */
const STRUCTURE_KEYS: ReadonlySet<string> = new Set([...fieldNames(CHAT_REQUEST_SHAPE), ...fieldNames(EMBEDDINGS_REQUEST_SHAPE)]);

/** Marks a path as naming an object key rather than a value. */
export const KEY_MARK = '\u0000';

/**
 * Called for every string value and every non-structure object key. `path` is a JSON pointer (for a key:
 * the pointer of its value followed by KEY_MARK). The return value replaces the string.
 */
export type StringVisitor = (text: string, path: string) => string;

/**
 * THE walk: visits every string of a JSON value, in a fixed order (arrays by index, objects by key order),
 * and returns the value with the visitor's replacements. Containers are copied only where something
 * changed, so an inspection (a visitor that returns its input) allocates nothing and the caller's body is
 * never modified. Inspection, pseudonymization and storage redaction all go through it, so no field can
 * be inspected one way and sent another.
 */
export function mapStrings<T>(value: T, visit: StringVisitor): T {
  return walk(value, '', visit, 0) as T;
}

function walk(v: unknown, path: string, visit: StringVisitor, depth: number): unknown {
  if (typeof v === 'string') return v.length === 0 ? v : visit(v, path);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_BODY_DEPTH) throw tooDeep();
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      const next = walk(item, `${path}/${i}`, visit, depth + 1);
      if (next !== item) (out ??= v.slice())[i] = next;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  let renamed: Map<string, string> | null = null;
  const keys = Object.keys(o);
  for (const k of keys) {
    const childPath = `${path}/${escapeSegment(k)}`;
    const key = STRUCTURE_KEYS.has(k) || k.length === 0 ? k : visit(k, childPath + KEY_MARK);
    if (key !== k) (renamed ??= new Map()).set(k, key);
    const item = o[k];
    const next = walk(item, childPath, visit, depth + 1);
    if (next !== item) defineValue(out ??= { ...o }, k, next);
  }
  if (!renamed) return out ?? o;
  // A key was pseudonymized: rebuild the object in the same order under the new names.
  const source = out ?? o;
  const rebuilt: Record<string, unknown> = {};
  for (const k of keys) defineValue(rebuilt, renamed.get(k) ?? k, source[k]);
  return rebuilt;
}

function defineValue(o: Record<string, unknown>, k: string, v: unknown): void {
  // Assigning to "__proto__" would set the prototype instead of the key; every other key can be assigned
  // (defineProperty costs several times as much, on every copied object of every pseudonymized body).
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function escapeSegment(k: string): string {
  return k.includes('~') || k.includes('/') ? k.replaceAll('~', '~0').replaceAll('/', '~1') : k;
}

function tooDeep() {
  return yumenError('invalid_request', `The request is nested more than ${MAX_BODY_DEPTH} levels deep. / 请求嵌套层级超过 ${MAX_BODY_DEPTH} 层。`);
}

/**
 * Depth of a parsed JSON body without recursion, stopping as soon as `limit` is passed: the edge uses it
 * before validation so a 20,000-level body is a 400, never a stack overflow.
 */
export function exceedsDepth(value: unknown, limit = MAX_BODY_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}
