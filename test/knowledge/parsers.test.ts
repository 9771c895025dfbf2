import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chunkBlocks, decodeText, detectFormat, parseDocument } from '../../src/knowledge/index.ts';
import { GBK_HELLO, dibOf, digitsBitmap, docx, gifImage, ofd, pdf, pptx, xlsx } from './fixtures.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const allText = (d: { blocks: Array<{ text: string }> }) => d.blocks.map((b) => b.text).join('\n');

describe('document parsers', () => {
  it('detects GBK text and decodes it', async () => {
    assert.deepEqual(decodeText(GBK_HELLO), { text: '你好，中文世界。', encoding: 'gb18030' });
    const d = await parseDocument('notice.txt', GBK_HELLO);
    assert.equal(d.metadata.encoding, 'gb18030');
    assert.equal(allText(d), '你好，中文世界。');
    assert.equal(decodeText(enc('\ufeff中文')).text, '中文');
  });

  it('reads Markdown headings, text and pipe tables', async () => {
    const d = await parseDocument('a.md', enc('# 总则\n\n本办法适用于**全体**员工。\n\n| 项目 | 标准 |\n|---|---|\n| 住宿 | 500元 |\n'));
    assert.deepEqual(d.blocks, [
      { kind: 'heading', text: '总则', level: 1 },
      { kind: 'text', text: '本办法适用于全体员工。' },
      { kind: 'row', text: '项目: 住宿; 标准: 500元' },
    ]);
  });

  it('reads HTML with a declared charset, headings, tables and entities; drops scripts', async () => {
    const html = '<html><head><meta charset="utf-8"><title>通知</title><script>var x="秘密";</script></head><body><h2>第一章</h2><p>A &amp; B&nbsp;说明</p><table><tr><th>城市</th><th>标准</th></tr><tr><td>上海</td><td>550</td></tr></table></body></html>';
    const d = await parseDocument('a.html', enc(html));
    assert.equal(d.metadata.title, '通知');
    assert.deepEqual(d.blocks, [
      { kind: 'heading', text: '第一章', level: 2 },
      { kind: 'text', text: 'A & B 说明' },
      { kind: 'row', text: '城市: 上海; 标准: 550' },
    ]);
    assert.ok(!allText(d).includes('秘密'));
  });

  it('reads CSV with quoted fields as header-labelled rows', async () => {
    const d = await parseDocument('a.csv', enc('姓名,备注\n张三,"说明, 含逗号"\n李四,"两行\n文本"\n'));
    assert.deepEqual(d.blocks.map((b) => b.text), ['姓名: 张三; 备注: 说明, 含逗号', '姓名: 李四; 备注: 两行\n文本']);
  });

  it('reads DOCX paragraphs, heading styles, table rows, pages and metadata', async () => {
    const d = await parseDocument('a.docx', docx());
    assert.equal(d.format, 'docx');
    assert.deepEqual(d.blocks[0], { kind: 'heading', text: '差旅费管理办法', level: 1, page: 1 });
    assert.equal(d.blocks[2].text, '第二条 报销须提供发票 & 行程单。');
    assert.equal(d.blocks[2].page, 2);
    assert.deepEqual(d.blocks[3], { kind: 'row', text: '城市: 北京; 标准: 600元', page: 2 });
    assert.equal(d.metadata.title, '差旅费');
  });

  it('reads XLSX sheets with shared, rich and inline strings', async () => {
    const d = await parseDocument('a.xlsx', xlsx());
    assert.deepEqual(d.blocks, [
      { kind: 'heading', text: '人员', level: 1, page: 1 },
      { kind: 'row', text: '姓名: 王小明; 岗位: 会计主管; 工龄: 12', page: 1 },
    ]);
  });

  it('reads PPTX slides in order, titles as headings, one page per slide', async () => {
    const d = await parseDocument('a.pptx', pptx());
    assert.deepEqual(d.blocks.map((b) => [b.kind, b.text, b.page]), [
      ['heading', '年度工作总结', 1], ['text', '全年完成项目二十个。', 1], ['heading', '明年计划', 2], ['text', '推进数字政府建设。', 2],
    ]);
  });

  it('reads OFD text objects page by page', async () => {
    const d = await parseDocument('a.ofd', ofd());
    assert.equal(d.metadata.title, '通知');
    assert.equal(allText(d), '关于开展安全检查的通知。\n请各单位于月底前完成自查。');
    assert.equal(d.blocks[0].page, 1);
  });

  it('reads the PDF text layer page by page', async () => {
    const d = await parseDocument('a.pdf', pdf(['Travel policy first page.', 'Hotel limit is 500 yuan.']));
    assert.equal(d.status, 'ready');
    assert.equal(d.pages, 2);
    assert.deepEqual(d.blocks.map((b) => [b.text, b.page]), [['Travel policy first page.', 1], ['Hotel limit is 500 yuan.', 2]]);
  });

  it('reports a PDF without a text layer, and an image, as no_text_layer', async () => {
    const d = await parseDocument('scan.pdf', pdf(['']));
    assert.equal(d.status, 'no_text_layer');
    assert.equal(d.blocks.length, 0);
    const img = await parseDocument('scan.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    assert.equal(img.status, 'no_text_layer');
  });

  it('detects formats by content when the name says nothing, and refuses unknown binaries', async () => {
    assert.equal(detectFormat('noext', pdf(['x'])), 'pdf');
    assert.equal(detectFormat('noext', docx()), 'docx');
    assert.equal(detectFormat('noext', enc('<!DOCTYPE html><p>x')), 'html');
    // Images by their first bytes (an attachment sent as bare base64 has no name that says it is one).
    const g = digitsBitmap('12');
    const { info, bits } = dibOf(g);
    const bmp = Buffer.concat([Buffer.from('BM'), Buffer.alloc(8), Buffer.from([54, 0, 0, 0]), info, bits]);
    for (const image of [encodePng(g), gifImage(g), bmp]) assert.equal(detectFormat('attachment', image), 'image');
    // Text that starts like one is still text.
    for (const t of ['BMW cars are expensive, call 13800138000.', 'GIF89a is a format', 'II* is roman']) assert.equal(detectFormat('attachment', enc(t)), 'txt', t);
    await assert.rejects(parseDocument('blob.bin', new Uint8Array([1, 0, 2, 0])), /unsupported/);
    await assert.rejects(parseDocument('broken.docx', enc('not a zip')));
  });
});

describe('chunking', () => {
  it('cuts at Chinese sentence ends, keeps overlap, and maps chunks to pages and headings', () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `这是第${i + 1}个句子，内容用于测试分块是否在句号处断开。`);
    const chunks = chunkBlocks([
      { kind: 'heading', text: '第一章', level: 1, page: 1 },
      { kind: 'text', text: sentences.slice(0, 6).join(''), page: 1 },
      { kind: 'text', text: sentences.slice(6).join(''), page: 2 },
    ], { maxChars: 120, overlapChars: 40 });
    assert.ok(chunks.length >= 4);
    for (const c of chunks) {
      assert.ok(c.text.length <= 120, c.text);
      assert.match(c.text, /。$/);
      assert.equal(c.heading, '第一章');
    }
    // Each chunk after the first starts with the last sentence of the previous one.
    for (let i = 1; i < chunks.length; i++) {
      const last = chunks[i - 1].text.split('\n').pop()!.match(/[^。]+。$/)![0];
      assert.ok(chunks[i].text.startsWith(last) || chunks[i].page !== chunks[i - 1].page, `overlap ${i}`);
    }
    assert.equal(chunks[0].page, 1);
    assert.equal(chunks.at(-1)!.page, 2);
    assert.deepEqual(chunks.map((c) => c.seq), chunks.map((_, i) => i));
  });

  it('never splits a table row and starts a new chunk at each heading', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ kind: 'row' as const, text: `序号: ${i}; 名称: 项目${i}; 金额: ${i * 100}元` }));
    const chunks = chunkBlocks([{ kind: 'heading', text: 'A', level: 1 }, ...rows, { kind: 'heading', text: 'B', level: 2 }, { kind: 'text', text: '结尾。' }], { maxChars: 80, overlapChars: 0 });
    const rowChunks = chunks.filter((c) => c.heading === 'A');
    assert.deepEqual(rowChunks.flatMap((c) => c.text.split('\n')), rows.map((r) => r.text));
    assert.equal(chunks.at(-1)!.heading, 'A > B');
    assert.equal(chunks.at(-1)!.text, '结尾。');
  });
});
