import { AUDIT_GENESIS_HASH, type AuditRepository } from '../store/index.ts';
import { hashRecord } from './chain.ts';
import type { AnchorEntry } from './anchor.ts';

export type VerifyResult =
  | { ok: true; records: number; firstSeq: number | null; lastSeq: number; anchoredFrom: number; externalAnchorsChecked: number; anchorsIgnored?: number }
  | { ok: false; seq: number; reason: string; records: number };

const PAGE = 2000;

/**
 * Walks the chain in seq order from the prune anchor (or the genesis) and reports the first broken record:
 * a gap in seq, a prev_hash that is not the previous record's hash, a hash that does not match the record,
 * a head row ahead of the records (records removed from the end), or an external anchor that disagrees.
 */
export async function verifyChain(repo: AuditRepository, externalAnchors: AnchorEntry[] = []): Promise<VerifyResult> {
  const start = (await repo.pruneAnchor()) ?? { seq: 0, hash: AUDIT_GENESIS_HASH };
  const wanted = new Map<number, string>();
  for (const a of externalAnchors) wanted.set(a.seq, a.hash);
  let anchorsChecked = 0;
  const checkAnchor = (seq: number, hash: string): VerifyResult | null => {
    const expected = wanted.get(seq);
    if (expected === undefined) return null;
    anchorsChecked++;
    return expected === hash ? null : { ok: false, seq, reason: `hash differs from the external anchor written for seq ${seq} (chain rewritten)`, records: 0 };
  };
  let broken = checkAnchor(start.seq, start.hash);
  if (broken) return broken;

  let prevSeq = start.seq;
  let prevHash = start.hash;
  let firstSeq: number | null = null;
  let records = 0;
  for (let round = 0; round < 2; round++) {
    for (;;) {
      const rows = await repo.page(prevSeq, PAGE);
      for (const row of rows) {
        const expectedSeq = prevSeq + 1;
        if (row.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: `record missing (gap: next present record is seq ${row.seq})`, records };
        if (row.prev_hash !== prevHash) return { ok: false, seq: row.seq, reason: 'prev_hash does not match the previous record\'s hash', records };
        if (hashRecord(row) !== row.hash) return { ok: false, seq: row.seq, reason: 'hash mismatch: the record was altered', records };
        broken = checkAnchor(row.seq, row.hash);
        if (broken) return { ...broken, records };
        firstSeq ??= row.seq;
        prevSeq = row.seq;
        prevHash = row.hash;
        records++;
      }
      if (rows.length < PAGE) break;
    }
    // A live server may have appended while we walked: read on once more if the head moved past us.
    const head = await repo.head();
    if (head.seq > prevSeq && round === 0) continue;
    if (head.seq > prevSeq) return { ok: false, seq: prevSeq + 1, reason: `record missing: the chain head is seq ${head.seq} but the records end at ${prevSeq} (records removed from the end)`, records };
    if (head.seq === prevSeq && head.hash !== prevHash) return { ok: false, seq: prevSeq, reason: 'the chain head\'s hash does not match the last record', records };
    if (head.seq < prevSeq) return { ok: false, seq: head.seq + 1, reason: `records after the chain head (seq ${head.seq}) were inserted outside the writer`, records };
    break;
  }
  const beyond = externalAnchors.filter((a) => a.seq > prevSeq).sort((a, b) => a.seq - b.seq)[0];
  if (beyond) return { ok: false, seq: prevSeq + 1, reason: `record missing: an external anchor names seq ${beyond.seq} but the chain ends at ${prevSeq} (truncated)`, records };
  return { ok: true, records, firstSeq, lastSeq: prevSeq, anchoredFrom: start.seq, externalAnchorsChecked: anchorsChecked };
}
