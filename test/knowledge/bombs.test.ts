/**
 * Regression (issue 12, item 2): a 1 MB DOCX holding 1 GB of zeros took the server from 165 MB to 1.2 GB of
 * resident memory, a PDF with a 300 MB stream to 800 MB. Archives are now unpacked under limits whatever sizes
 * they declare, PDF streams are decoded under a cap first, and parsing runs in a worker with a heap limit:
 * a bomb is a failed job with a clear error and the server keeps serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INGEST_LIMITS, IngestLimitError, createWorkerParser, parseDocument } from '../../src/knowledge/index.ts';
import { readZip } from '../../src/knowledge/ingest/zip.ts';
import { createApiKeyRepository } from '../../src/store/index.ts';
import { startFixture, type Fixture } from '../governance/helpers.ts';
import { docxBomb, pdfBomb, zipOf } from './bomb-fixtures.ts';

describe('ingest limits', () => {
  it('refuses a DOCX that unpacks past the per-entry limit, even when its headers declare a small size', async () => {
    for (const declared of [undefined, 100]) {
      const bomb = docxBomb(300, declared);
      assert.ok(bomb.length < 2 * 1024 * 1024, `${bomb.length} bytes`);
      await assert.rejects(parseDocument('预算.docx', bomb), (e: any) => e instanceof IngestLimitError && /document\.xml inflates past/.test(e.message));
    }
  });

  it('refuses extreme ratios, too many entries and too much in total', () => {
    const ratio = zipOf([{ name: 'a.xml', data: Buffer.alloc(8 * 1024 * 1024) }]);
    assert.throws(() => readZip(ratio, () => true), /expands \d+×/);
    const many = zipOf(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.from('<x/>') })));
    assert.throws(() => readZip(many, () => true, { ...DEFAULT_INGEST_LIMITS, maxEntries: 20 }), /30 entries/);
    const total = zipOf(Array.from({ length: 3 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.from('<x/>'.repeat(100_000)) })));
    assert.throws(() => readZip(total, () => true, { ...DEFAULT_INGEST_LIMITS, maxTotalBytes: 900_000, maxRatio: 1e9 }), /inflates past/);
    assert.equal(readZip(total, (n) => n === 'p1.xml').size, 1, 'entries not asked for are never inflated');
  });

  it('refuses a PDF whose stream decodes past the cap before pdf.js decodes it', async () => {
    await assert.rejects(parseDocument('报告.pdf', pdfBomb(300)), (e: any) => e instanceof IngestLimitError && /PDF stream decodes past/.test(e.message));
  });

  it('a document that needs more than the worker\'s heap fails alone; the next one parses', async () => {
    const parser = createWorkerParser({ maxHeapMb: 24 });
    try {
      const big = Buffer.from('甲乙丙丁。\n\n'.repeat(2_000_000)); // two million paragraphs: far more than 24 MiB of objects
      await assert.rejects(parser.parse('big.txt', big), /ingest limit: parsing needed more than 24 MiB|worker stopped/);
      const ok = await parser.parse('ok.txt', Buffer.from('第一段\n\n第二段'));
      assert.equal(ok.status, 'ready');
    } finally {
      await parser.close();
    }
  });
});

describe('a bomb uploaded to a running server', () => {
  let f: Fixture;
  let key: string;
  before(async () => {
    f = await startFixture('sqlite');
    key = (await createApiKeyRepository(f.yumen.store.db).create({ tenantId: f.dept.A })).secret;
  });
  after(async () => f?.close());

  it('ends as a failed job with a clear error while the server keeps serving', async () => {
    const h = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    assert.equal((await fetch(`${f.url}/api/kb`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'bombed' }) })).status, 201);
    const files = [{ name: 'bomb.docx', content_base64: docxBomb(1024).toString('base64') }, { name: 'bomb.pdf', content_base64: pdfBomb(300).toString('base64') }, { name: 'ok.txt', content_base64: Buffer.from('正常文件').toString('base64') }];
    const up = await fetch(`${f.url}/api/kb/bombed/documents`, { method: 'POST', headers: h, body: JSON.stringify({ files }) });
    assert.equal(up.status, 202);
    const { status_url } = await up.json() as { status_url: string };
    let job: any;
    for (let i = 0; i < 200; i++) {
      job = await (await fetch(f.url + status_url, { headers: h })).json();
      if (job.done) break;
      assert.equal((await fetch(`${f.url}/healthz`)).status, 200);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(job.done, true);
    const by = Object.fromEntries(job.jobs.map((j: any) => [j.name, j]));
    assert.equal(by['bomb.docx'].status, 'failed');
    assert.match(by['bomb.docx'].error, /ingest limit/);
    assert.equal(by['bomb.pdf'].status, 'failed');
    assert.match(by['bomb.pdf'].error, /ingest limit/);
    assert.equal(by['ok.txt'].status, 'done');
  });
});
