import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIngester, groups } from '../../src/knowledge/ingest-batch.ts';
import { parseDocument } from '../../src/knowledge/ingest/index.ts';
import { createSegmenter } from '../../src/knowledge/segmentation.ts';
import { DEFAULT_KNOWLEDGE_SETTINGS } from '../../src/knowledge/settings.ts';
import type { KbDocumentRow, KbDocumentWrite, KbIndexInput, KnowledgeIndexRepository, KnowledgeRepository } from '../../src/store/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/** An ingester over a fake store whose group write fails while it holds `poison.txt`. */
function ingesterWithPoison() {
  const writes: Array<{ names: string[]; chunks: number }> = [];
  const index = {
    async writeDocuments(docs: readonly KbDocumentWrite[], input: KbIndexInput) {
      const names = docs.map((d) => d.doc.name);
      if (names.includes('poison.txt')) throw new Error('constraint failed');
      writes.push({ names, chunks: input.segment.chunks });
    },
  } as unknown as KnowledgeIndexRepository;
  const repo = { findDocumentsBySourceOrHash: async () => [] } as unknown as KnowledgeRepository;
  const seg = createSegmenter();
  const ingester = createIngester({ repo, index, settings: DEFAULT_KNOWLEDGE_SETTINGS, embedder: null, ocr: null, parse: parseDocument, segmenterFor: async () => seg });
  return { ingester, writes };
}

/**
 * An ingester over a fake store (documents by source) whose writes wait until `release()`: a look-up sees only the
 * writes that have landed.
 */
function ingesterWithHeldWrites(existing: Array<{ source: string; text: string }> = []) {
  const stored = new Map<string, KbDocumentRow>();
  const sha = (t: string) => createHash('sha256').update(enc(t)).digest('hex');
  for (const [i, e] of existing.entries()) stored.set(e.source, { id: `old${i}`, source: e.source, name: e.source, sha256: sha(e.text), chunk_count: 1, chars: e.text.length, status: 'ready', created_at: 0 } as KbDocumentRow);
  const gates: Array<() => void> = [];
  const landed: string[][] = [];
  const index = {
    async writeDocuments(docs: readonly KbDocumentWrite[]) {
      await new Promise<void>((r) => gates.push(r));
      for (const d of docs) stored.set(d.doc.source, d.doc);
      landed.push(docs.map((d) => d.doc.source));
    },
  } as unknown as KnowledgeIndexRepository;
  const repo = {
    findDocumentsBySourceOrHash: async (_kb: string, sources: string[], hashes: string[]) =>
      [...stored.values()].filter((d) => sources.includes(d.source) || hashes.includes(d.sha256)),
  } as unknown as KnowledgeRepository;
  const seg = createSegmenter();
  const ingester = createIngester({ repo, index, settings: DEFAULT_KNOWLEDGE_SETTINGS, embedder: null, ocr: null, parse: parseDocument, segmenterFor: async () => seg });
  /** Lets every queued write land (after the queue has had a turn to start the next). */
  const release = async () => {
    for (await new Promise(setImmediate); gates.length; await new Promise(setImmediate)) gates.shift()!();
  };
  return { ingester, landed, release, waiting: () => gates.length };
}

const file = (source: string, text: string) => ({ source, name: source, bytes: enc(text) });

describe('ingest in groups', () => {
  it('when a group\'s write fails, writes its files one by one: the file that broke it fails alone, nothing else is lost', async () => {
    const { ingester, writes } = ingesterWithPoison();
    const items = ['a.txt', 'poison.txt', 'b.txt'].map((name) => ({ source: name, name, bytes: enc(`${name} 的内容：预算执行情况。`) }));
    const { outcomes, errors } = await ingester.ingestGroup({ id: 'kb', tenantId: 't' }, items);
    assert.deepEqual(outcomes.map((o) => o.status), ['done', 'failed', 'done']);
    assert.match(outcomes[1].reason!, /constraint failed/);
    assert.ok(errors[1] instanceof Error);
    // The retried writes carry each file's own index input, built again from its text.
    assert.deepEqual(writes, [{ names: ['a.txt'], chunks: 1 }, { names: ['b.txt'], chunks: 1 }]);
  });

  it('a second version of one source in a group replaces the first, in order', async () => {
    const { ingester, writes } = ingesterWithPoison();
    const { outcomes } = await ingester.ingestGroup({ id: 'kb', tenantId: 't' }, [
      { source: 'x.txt', name: 'x.txt', bytes: enc('第一版') },
      { source: 'y.txt', name: 'y.txt', bytes: enc('另一个文件') },
      { source: 'x.txt', name: 'x.txt', bytes: enc('第二版') },
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['done', 'done', 'done']);
    assert.deepEqual(writes.map((w) => w.names), [['x.txt', 'y.txt'], ['x.txt']]);
  });

  it('groups by bytes and by count; a file bigger than a group is a group alone', () => {
    const f = (n: number) => ({ bytes: new Uint8Array(n) });
    assert.deepEqual([...groups([f(3), f(3), f(3), f(10), f(1)], 7, 100)].map((g) => g.map((x) => x.bytes.length)), [[3, 3], [3], [10], [1]]);
    assert.deepEqual([...groups([f(1), f(1), f(1)], 100, 2)].map((g) => g.length), [2, 1]);
  });
  it('prepares the next group while a write is under way, and writes groups one at a time, in order', async () => {
    const { ingester, landed, release, waiting } = ingesterWithHeldWrites();
    const run = ingester.pipeline({ id: 'kb', tenantId: 't' });
    const got: string[][] = [];
    await run.add([file('a.txt', '甲文件')], ({ outcomes }) => { got.push(outcomes.map((o) => o.status)); });
    // The first write waits; the second group is still decided, prepared and queued.
    await run.add([file('b.txt', '乙文件'), file('c.txt', '丙文件')], ({ outcomes }) => { got.push(outcomes.map((o) => o.status)); });
    assert.equal(waiting(), 1, 'one write at a time');
    assert.deepEqual(landed, []);
    await release();
    await run.finish();
    assert.deepEqual(landed, [['a.txt'], ['b.txt', 'c.txt']]);
    assert.deepEqual(got, [['done'], ['done', 'done']]);
  });

  it('decides a group against the writes still queued ahead of it: the documents they add count, the ones they replace do not', async () => {
    // Stored: s.txt with text X. Group 1 replaces it with text Y; its write has not landed when group 2 is decided.
    const { ingester, landed, release } = ingesterWithHeldWrites([{ source: 's.txt', text: '旧版本X' }]);
    const run = ingester.pipeline({ id: 'kb', tenantId: 't' });
    const got: Array<Array<[string, string | undefined]>> = [];
    const keep = ({ outcomes }: { outcomes: Array<{ status: string; reason?: string }> }) => { got.push(outcomes.map((o) => [o.status, o.reason])); };
    await run.add([file('s.txt', '新版本Y')], keep);
    await run.add([
      file('t.txt', '旧版本X'), // X was s.txt's old text, which is being replaced: not a duplicate any more
      file('u.txt', '新版本Y'), // Y is s.txt's new text, still queued: a duplicate
      file('s.txt', '新版本Y'), // the same source and text as the queued write: unchanged
    ], keep);
    await release();
    await run.finish();
    assert.deepEqual(got, [[['done', undefined]], [['done', undefined], ['skipped', 'duplicate of s.txt'], ['skipped', 'unchanged']]]);
    assert.deepEqual(landed, [['s.txt'], ['t.txt']]);
  });

  it('a failure in one group\'s landing is thrown by the next add and by finish', async () => {
    const { ingester, release } = ingesterWithHeldWrites();
    const run = ingester.pipeline({ id: 'kb', tenantId: 't' });
    await run.add([file('a.txt', '甲文件')], () => { throw new Error('finishing the job failed'); });
    await release();
    await assert.rejects(run.add([file('b.txt', '乙文件')], () => undefined), /finishing the job failed/);
    await assert.rejects(run.finish(), /finishing the job failed/);
  });
});
