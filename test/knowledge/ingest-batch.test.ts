import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIngester, groups } from '../../src/knowledge/ingest-batch.ts';
import { parseDocument } from '../../src/knowledge/ingest/index.ts';
import { createSegmenter } from '../../src/knowledge/segmentation.ts';
import { DEFAULT_KNOWLEDGE_SETTINGS } from '../../src/knowledge/settings.ts';
import type { KbDocumentWrite, KbIndexInput, KnowledgeIndexRepository, KnowledgeRepository } from '../../src/store/index.ts';

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
});
