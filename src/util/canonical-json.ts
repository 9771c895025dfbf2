/**
 * Canonical JSON: object keys sorted by code point, no whitespace, `undefined` members dropped.
 * Two equal values always give the same string, so their SM3 digests can be compared across
 * processes, dialects and years. Written as plain loops: it runs for every audit record.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += value[i] === undefined ? 'null' : canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${quotedKey(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Object keys repeat (the same few column names for every record): quote each once. */
const QUOTED = new Map<string, string>();
function quotedKey(k: string): string {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (QUOTED.size < 1024) QUOTED.set(k, q);
  }
  return q;
}
