import { sql, type Kysely, type Transaction } from 'kysely';
import { cachedStatement, nativeDriver } from '../database.ts';
import type { Database } from '../schema.ts';
import type { KbSegmentsTable } from '../tables/knowledge.ts';
import { appendPostings, BlockCursor, BlockPacker, ByteWriter, encodePostings, forEachPosting } from './kb-postings.ts';
import type { SegmentBuilder } from './kb-segment-builder.ts';
import type { BulkInserter } from './kb-rows.ts';

/**
 * The segments of a base's full-text index in SQL (both dialects, one code path): written once per ingest batch,
 * merged in the background, found by a search in one statement. A segment is immutable; it is replaced, never
 * updated, so a search reads a consistent set in one statement while merges go on beside it.
 */

type Exec = Kysely<Database> | Transaction<Database>;

/** The index format of this code; a base below it is rebuilt from its chunks' text (src/knowledge/service.ts). */
export const INDEX_VERSION = 1;
/** The log base of segment levels, and how many segments of a level a finished ingest leaves unmerged at most (− 1). */
export const MERGE_FACTOR = 4;
/**
 * A write merges only when a level holds twice that many: ingesting files one by one then merges eight segments at
 * once instead of cascading fours (each posting rewritten about half as often), and the end of an ingest (`merge`)
 * brings the base back to MERGE_FACTOR − 1 per level for searches.
 */
export const WRITE_MERGE_FACTOR = 2 * MERGE_FACTOR;
/** The most segments merged in one pass. */
const MAX_MERGE_INPUTS = 32;
/** A segment left `building` this long belonged to a process that stopped mid-merge. */
const STALE_BUILD_MS = 3_600_000;
/** Blocks a merge writes per transaction. */
const BLOCK_ROWS = 1000;

/** The base's kb_index row, created when missing. */
export async function ensureIndexRow(exec: Exec, kbId: string): Promise<void> {
  await exec.insertInto('kb_index').values({ kb_id: kbId, docs: 0, tokens: 0, next_num: 0, next_seg: 0, version: INDEX_VERSION, updated_at: Date.now() })
    .onConflict((oc) => oc.column('kb_id').doNothing()).execute();
}

/** Reserves `n` chunk numbers and one segment id, and adds `docs` and `tokens` (negative to subtract) to the base. */
export async function reserve(exec: Exec, kbId: string, n: number, docs: number, tokens: number): Promise<{ firstNum: number; seg: number }> {
  const r = await exec.updateTable('kb_index')
    .set((eb) => ({ next_num: eb('next_num', '+', n), next_seg: eb('next_seg', '+', 1), docs: eb('docs', '+', docs), tokens: eb('tokens', '+', tokens), updated_at: Date.now() }))
    .where('kb_id', '=', kbId).returning(['next_num', 'next_seg']).executeTakeFirstOrThrow();
  return { firstNum: Number(r.next_num) - n, seg: Number(r.next_seg) - 1 };
}

async function insertBlocks(exec: Exec, insert: BulkInserter, kbId: string, seg: number, blocks: ReadonlyArray<{ firstHash: number; data: Uint8Array }>): Promise<number> {
  let bytes = 0;
  const rows = blocks.map((b) => {
    bytes += b.data.length;
    return { kb_id: kbId, seg, first_hash: b.firstHash, data: Buffer.from(b.data.buffer, b.data.byteOffset, b.data.length) };
  });
  await insert(exec, 'kb_blocks', rows);
  return bytes;
}

async function deleteSegments(exec: Exec, kbId: string, segs: readonly number[]): Promise<void> {
  if (!segs.length) return;
  await exec.deleteFrom('kb_blocks').where('kb_id', '=', kbId).where('seg', 'in', segs).execute();
  await exec.deleteFrom('kb_segments').where('kb_id', '=', kbId).where('seg', 'in', segs).execute();
}

/** Writes the built segment under id `seg`, its chunk numbers shifted by `offset`. */
export async function writeSegment(exec: Exec, insert: BulkInserter, kbId: string, seg: number, built: SegmentBuilder, offset: number, state: 'ready' | 'building'): Promise<void> {
  if (!built.chunks) return;
  const bytes = await insertBlocks(exec, insert, kbId, seg, built.blocks(offset));
  await exec.insertInto('kb_segments').values({
    kb_id: kbId, seg, state, docs: built.chunks, dead: 0, postings: built.postings, bytes,
    min_num: built.minNum + offset, max_num: built.maxNum + offset, created_at: Date.now(),
  }).execute();
}

/** Counts deleted chunks against the ready segments holding them (a hint for merging; searches check liveness). */
export async function markDead(exec: Exec, kbId: string, nums: readonly number[]): Promise<void> {
  if (!nums.length) return;
  const segs = await exec.selectFrom('kb_segments').select(['seg', 'min_num', 'max_num']).where('kb_id', '=', kbId).where('state', '=', 'ready').execute();
  const counts = new Map<number, number>();
  for (const n of nums) {
    const s = segs.find((x) => Number(x.min_num) <= n && n <= Number(x.max_num));
    if (s) counts.set(Number(s.seg), (counts.get(Number(s.seg)) ?? 0) + 1);
  }
  for (const [seg, n] of counts) {
    await exec.updateTable('kb_segments').set((eb) => ({ dead: eb('dead', '+', n) })).where('kb_id', '=', kbId).where('seg', '=', seg).execute();
  }
}

/**
 * For each ready segment of the bases and each term hash, the one block that can hold the term (the last whose
 * first hash is ≤ it). One statement, so the segments it sees are one consistent set. A block can come back more
 * than once (for several hashes); callers take a term's entry once per segment.
 *
 * The hashes go as one parameter (a JSON array on SQLite, a bigint[] on PostgreSQL), so the statement's text is the
 * same for every query and is prepared once per connection (on SQLite preparing a 20-value VALUES list cost about
 * as much as running it; on PostgreSQL planning it took 0.3–1.6 ms).
 */
export async function lookupBlocks(db: Kysely<Database>, kbIds: readonly string[], hashes: readonly number[]): Promise<Array<{ kbId: string; seg: number; data: Uint8Array }>> {
  if (!kbIds.length || !hashes.length) return [];
  const native = nativeDriver(db);
  let rows: Array<{ kb_id: string; seg: number; data: Uint8Array | null }>;
  if (native?.dialect === 'sqlite') {
    rows = cachedStatement(native.sqlite, `lookupBlocks:${kbIds.length}`, () => `
      WITH q(h) AS (SELECT value FROM json_each(?))
      SELECT s.kb_id, s.seg, ${BLOCK_OF} AS data
      FROM kb_segments s CROSS JOIN q
      WHERE s.kb_id IN (${kbIds.map(() => '?').join(', ')}) AND s.state = 'ready'`).all(JSON.stringify(hashes), ...kbIds) as typeof rows;
  } else if (native?.dialect === 'postgres') {
    // A named statement: parsed and planned once per connection.
    rows = (await native.pool.query({
      name: 'yumen_kb_blocks_lookup',
      text: `WITH q(h) AS (SELECT unnest($1::bigint[]))
        SELECT s.kb_id, s.seg, ${BLOCK_OF} AS data
        FROM kb_segments s CROSS JOIN q
        WHERE s.kb_id = ANY($2::text[]) AND s.state = 'ready'`,
      values: [hashes, kbIds],
    })).rows;
  } else {
    rows = (await sql<{ kb_id: string; seg: number; data: Uint8Array | null }>`
      WITH q(h) AS (VALUES ${sql.join(hashes.map((h) => sql`(CAST(${h} AS bigint))`))})
      SELECT s.kb_id, s.seg, ${sql.raw(BLOCK_OF)} AS data
      FROM kb_segments s CROSS JOIN q
      WHERE s.kb_id IN (${sql.join(kbIds)}) AND s.state = 'ready'`.execute(db)).rows;
  }
  return rows.flatMap((x) => (x.data ? [{ kbId: x.kb_id, seg: Number(x.seg), data: x.data }] : []));
}

/** The block of segment s that can hold hash q.h. */
const BLOCK_OF = '(SELECT b.data FROM kb_blocks b WHERE b.kb_id = s.kb_id AND b.seg = s.seg AND b.first_hash <= q.h ORDER BY b.first_hash DESC LIMIT 1)';

type SegmentRow = Pick<KbSegmentsTable, 'seg' | 'docs' | 'dead' | 'min_num' | 'max_num'>;

const live = (s: SegmentRow) => Math.max(1, Number(s.docs) - Number(s.dead));

/**
 * What to merge next (segments in number order), or null. A segment a third or more deleted is rewritten alone.
 * Otherwise, as Lucene's LogMergePolicy: a segment's level is log_F of its live chunks; from the oldest, the
 * segments down to the last one within 0.75 of the highest level left form a group, and a group of F or more
 * merges as a whole (up to MAX_MERGE_INPUTS) once it holds `trigger` or more. (Plain floor(level) tiers split 1,000-
 * and 2,000-chunk segments into tiers that then never filled.)
 */
export function pickMerge(segs: readonly SegmentRow[], trigger = MERGE_FACTOR): SegmentRow[] | null {
  for (const s of segs) if (Number(s.dead) > 0 && Number(s.dead) * 3 >= Number(s.docs)) return [s];
  const level = segs.map((s) => Math.log(live(s)) / Math.log(MERGE_FACTOR));
  for (let start = 0; start < segs.length;) {
    const top = Math.max(...level.slice(start));
    let end = segs.length - 1;
    while (level[end] < top - 0.75) end--;
    if (end - start + 1 >= trigger) return segs.slice(start, Math.min(end + 1, start + MAX_MERGE_INPUTS));
    start = end + 1;
  }
  return null;
}

/** Entries of one segment in order, reading its blocks a page at a time. */
class SegmentCursor {
  private page: Array<{ first_hash: number; data: Uint8Array }> = [];
  private pageAt = 0;
  private lastHash = -1;
  private more = true;
  readonly entry = new BlockCursor();
  /** False once every entry has been read. */
  live = true;
  constructor(private readonly db: Kysely<Database>, private readonly kbId: string, readonly seg: number) {}

  /** Moves to the next entry without I/O; false when the next page must be read first (`load`). */
  advance(): boolean {
    for (;;) {
      if (this.entry.next()) return true;
      if (this.pageAt >= this.page.length) return false;
      this.entry.reset(this.page[this.pageAt++].data);
    }
  }

  /** Reads the next page and moves to its first entry; sets `live` false at the end. */
  async load(): Promise<void> {
    while (!this.advance()) {
      if (!this.more) { this.live = false; return; }
      this.page = await this.db.selectFrom('kb_blocks').select(['first_hash', 'data']).where('kb_id', '=', this.kbId).where('seg', '=', this.seg)
        .where('first_hash', '>', this.lastHash).orderBy('first_hash').limit(64).execute();
      this.pageAt = 0;
      this.more = this.page.length === 64;
      if (this.page.length) this.lastHash = Number(this.page[this.page.length - 1].first_hash);
    }
  }

}

/** The numbers still in kb_chunks among lo…hi, as a bitset from lo. */
async function liveNums(db: Kysely<Database>, kbId: string, lo: number, hi: number): Promise<{ bits: Uint8Array; count: number }> {
  const bits = new Uint8Array(((hi - lo) >> 3) + 1);
  let count = 0;
  for (let from = lo; from <= hi; from += 50_000) {
    const rows = await db.selectFrom('kb_chunks').select('num').where('kb_id', '=', kbId).where('num', '>=', from).where('num', '<', Math.min(hi + 1, from + 50_000)).execute();
    for (const r of rows) {
      const i = Number(r.num) - lo;
      bits[i >> 3] |= 1 << (i & 7);
      count++;
    }
  }
  return { bits, count };
}

/**
 * Merges `inputs` (consecutive in number order) into one new segment: blocks are streamed in and out, so memory
 * holds a page of blocks per input, whatever the size. Built `building`, then swapped in one transaction that
 * fails (and the new blocks go) when another process merged any input meanwhile. Postings of deleted chunks are
 * dropped when an input has any.
 */
async function merge(db: Kysely<Database>, insert: BulkInserter, kbId: string, inputs: readonly SegmentRow[]): Promise<boolean> {
  const lo = Number(inputs[0].min_num);
  const hi = Number(inputs[inputs.length - 1].max_num);
  const { seg } = await db.transaction().execute(async (tx) => {
    const r = await reserve(tx, kbId, 0, 0, 0);
    await tx.insertInto('kb_segments').values({ kb_id: kbId, seg: r.seg, state: 'building', docs: 0, dead: 0, postings: 0, bytes: 0, min_num: lo, max_num: hi, created_at: Date.now() }).execute();
    return r;
  });
  try {
    const dead0 = inputs.map((s) => Number(s.dead));
    const live = dead0.some((d) => d > 0) ? await liveNums(db, kbId, lo, hi) : null;
    const cursors = inputs.map((s) => new SegmentCursor(db, kbId, Number(s.seg)));
    for (const c of cursors) await c.load();
    const packer = new BlockPacker();
    const w = new ByteWriter();
    const parts: SegmentCursor[] = [];
    let postings = 0, bytes = 0;
    for (;;) {
      let min: SegmentCursor | null = null;
      for (const c of cursors) if (c.live && (!min || c.entry.compare(min.entry) < 0)) min = c;
      if (!min) break;
      // Inputs in number order: equal keys join in that order.
      parts.length = 0;
      for (const c of cursors) if (c.live && (c === min || c.entry.compare(min.entry) === 0)) parts.push(c);
      w.pos = 0;
      let df = 0, last = -1;
      if (live) {
        const nums: number[] = [], tfs: number[] = [], lens: number[] = [];
        for (const p of parts) forEachPosting(p.entry.postings(), (n, tf, len) => {
          const i = n - lo;
          if (i >= 0 && n <= hi && bits(live.bits, i)) { nums.push(n); tfs.push(tf); lens.push(len); }
        });
        if (nums.length) encodePostings(w, nums, tfs, lens);
        df = nums.length;
        last = nums[nums.length - 1] ?? -1;
      } else {
        for (const p of parts) {
          appendPostings(w, p.entry.bytes, p.entry.postAt, p.entry.postLen, last);
          df += p.entry.df;
          last = p.entry.last;
        }
      }
      if (df) packer.add(min.entry.hash, min.entry, df, last, w);
      postings += df;
      for (const p of parts) if (!p.advance()) await p.load();
      if (packer.blocks.length >= BLOCK_ROWS) {
        const blocks = packer.drain(false);
        bytes += await db.transaction().execute((tx) => insertBlocks(tx, insert, kbId, seg, blocks));
      }
    }
    const blocks = packer.drain(true);
    bytes += await db.transaction().execute((tx) => insertBlocks(tx, insert, kbId, seg, blocks));
    return await db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom('kb_segments').where('kb_id', '=', kbId).where('state', '=', 'ready')
        .where('seg', 'in', inputs.map((s) => Number(s.seg))).returning(['seg', 'dead']).execute();
      if (gone.length !== inputs.length) throw new MergeLost();
      await tx.deleteFrom('kb_blocks').where('kb_id', '=', kbId).where('seg', 'in', inputs.map((s) => Number(s.seg))).execute();
      // Deletions counted while the merge ran still stand against the new segment.
      const deadNow = new Map(gone.map((g) => [Number(g.seg), Number(g.dead)]));
      const dead = inputs.reduce((n, s, i) => n + (deadNow.get(Number(s.seg)) ?? 0) - (live ? dead0[i] : 0), 0);
      const docs = live ? live.count : inputs.reduce((n, s) => n + Number(s.docs), 0);
      await tx.updateTable('kb_segments').set({ state: 'ready', docs, dead, postings, bytes }).where('kb_id', '=', kbId).where('seg', '=', seg).execute();
      return true;
    });
  } catch (err) {
    await deleteSegments(db, kbId, [seg]);
    if (err instanceof MergeLost) return false;
    throw err;
  }
}

class MergeLost extends Error {}

const bits = (b: Uint8Array, i: number) => (b[i >> 3] & (1 << (i & 7))) !== 0;

/**
 * Merges the base's segments until no level holds `trigger` of them. Not while the base awaits a rebuild
 * (segments below the rebuild's boundary are about to be replaced as a whole).
 */
export async function mergeSegments(db: Kysely<Database>, insert: BulkInserter, kbId: string, trigger = MERGE_FACTOR): Promise<number> {
  const stale = await db.selectFrom('kb_segments').select('seg').where('kb_id', '=', kbId).where('state', '=', 'building').where('created_at', '<', Date.now() - STALE_BUILD_MS).execute();
  await deleteSegments(db, kbId, stale.map((s) => Number(s.seg)));
  let merged = 0;
  for (let round = 0; round < 16; round++) {
    const index = await db.selectFrom('kb_index').select('version').where('kb_id', '=', kbId).executeTakeFirst();
    if (!index || index.version < INDEX_VERSION) return merged;
    const segs = await db.selectFrom('kb_segments').select(['seg', 'docs', 'dead', 'min_num', 'max_num']).where('kb_id', '=', kbId).where('state', '=', 'ready').orderBy('min_num').execute();
    const pick = pickMerge(segs, trigger);
    if (!pick || !(await merge(db, insert, kbId, pick))) return merged;
    merged++;
  }
  return merged;
}

/** Drops a base's whole index. */
export async function deleteIndex(exec: Exec, kbId: string): Promise<void> {
  await exec.deleteFrom('kb_blocks').where('kb_id', '=', kbId).execute();
  await exec.deleteFrom('kb_segments').where('kb_id', '=', kbId).execute();
  await exec.deleteFrom('kb_index').where('kb_id', '=', kbId).execute();
}

/**
 * Rebuild support: segments written `building` by a rebuild become the index of every chunk numbered below
 * `boundary` in one transaction (the segments they replace go), and the base takes this code's version. False
 * when another process finished the rebuild first (its segments stay; ours go).
 */
export async function finishRebuild(db: Kysely<Database>, kbId: string, boundary: number, built: readonly number[]): Promise<boolean> {
  try {
    return await db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('kb_index').set({ version: INDEX_VERSION, updated_at: Date.now() }).where('kb_id', '=', kbId).where('version', '<', INDEX_VERSION).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new MergeLost();
      const old = await tx.selectFrom('kb_segments').select('seg').where('kb_id', '=', kbId).where('state', '=', 'ready').where('max_num', '<', boundary).execute();
      await deleteSegments(tx, kbId, old.map((s) => Number(s.seg)));
      if (built.length) await tx.updateTable('kb_segments').set({ state: 'ready' }).where('kb_id', '=', kbId).where('seg', 'in', built).execute();
      const t = await tx.selectFrom('kb_chunks').select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`coalesce(sum(len_words + len_grams + len_chars), 0)`.as('t')]).where('kb_id', '=', kbId).executeTakeFirstOrThrow();
      await tx.updateTable('kb_index').set({ docs: Number(t.n), tokens: Number(t.t) }).where('kb_id', '=', kbId).execute();
      return true;
    });
  } catch (err) {
    await deleteSegments(db, kbId, built);
    if (err instanceof MergeLost) return false;
    throw err;
  }
}
