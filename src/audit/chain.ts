import { hash } from 'node:crypto';
import type { AuditEvent } from '../gateway/ports.ts';
import type { AuditRow } from '../store/index.ts';
import { canonicalJson } from '../util/canonical-json.ts';

const MAX_TEXT = 200;

/**
 * hash = SM3( prev_hash ‖ canonical JSON of every column except `hash` ), hex.
 * The canonical form includes `seq` and `prev_hash`, so reordering, removing or editing a record
 * breaks its own hash and the link of the next one.
 */
export function hashRecord(row: Omit<AuditRow, 'hash'> & { hash?: string }): string {
  return hash('sm3', row.prev_hash + canonicalFields(row), 'hex');
}

/** Every column but `hash`, in canonical (code point) order, each with its JSON key and separator. */
const HASHED: ReadonlyArray<keyof AuditRow> = ([
  'seq', 'time', 'request_id', 'actor', 'tenant_id', 'action', 'model', 'zone', 'level', 'findings', 'decision',
  'status', 'error_code', 'prompt_tokens', 'completion_tokens', 'latency_ms', 'prev_hash',
] satisfies ReadonlyArray<Exclude<keyof AuditRow, 'hash'>>).sort();
const PREFIXES = HASHED.map((k, i) => `${i === 0 ? '' : ','}${JSON.stringify(k)}:`);

/**
 * canonicalJson of the row without `hash`, written in the known column order instead of sorting keys for
 * every record. Any other shape (an extra or a missing column) takes the general path, so the hashed form
 * stays exactly the canonical JSON.
 */
function canonicalFields(row: Omit<AuditRow, 'hash'> & { hash?: string }): string {
  let keys = 0;
  for (const k in row) if (k !== 'hash') keys++;
  if (keys === HASHED.length) {
    let out = '{';
    for (let i = 0; i < HASHED.length; i++) {
      const v = (row as Record<string, unknown>)[HASHED[i]];
      if (v === undefined) break;
      out += PREFIXES[i] + canonicalJson(v);
      if (i === HASHED.length - 1) return `${out}}`;
    }
  }
  const { hash: _ignored, ...fields } = row;
  return canonicalJson(fields);
}

/** Builds the chained rows for a batch of events after `head`. */
export function chainEvents(head: { seq: number; hash: string }, events: readonly AuditEvent[]): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = head.hash;
  let seq = head.seq;
  for (const e of events) {
    const row: AuditRow = {
      seq: ++seq,
      time: Math.trunc(e.time),
      request_id: clip(e.requestId) ?? '',
      actor: clip(e.actor),
      tenant_id: clip(e.tenantId) ?? '',
      action: clip(e.action) ?? '',
      model: clip(e.model),
      zone: e.zone ?? null,
      level: clip(e.level) ?? '',
      findings: canonicalJson(countsOnly(e.findings)),
      decision: clip(e.decision) ?? '',
      status: Math.trunc(e.status),
      error_code: clip(e.errorCode),
      prompt_tokens: nonNegativeInt(e.promptTokens),
      completion_tokens: nonNegativeInt(e.completionTokens),
      latency_ms: nonNegativeInt(e.latencyMs),
      prev_hash: prev,
      hash: '',
    };
    row.hash = hashRecord(row);
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

/** Only counts by finding type ever reach the trail — never a matched value. */
function countsOnly(findings: Record<string, number> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of Object.entries(findings ?? {})) {
    if (typeof n === 'number' && n > 0) out[type.slice(0, 64)] = Math.trunc(n);
  }
  return out;
}

function clip(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

function nonNegativeInt(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}
