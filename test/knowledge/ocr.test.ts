import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createFileTextReader, createKnowledgeService, createOcr, parseDocument, type OcrEngine } from '../../src/knowledge/index.ts';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { scaledGray } from '../../src/knowledge/ingest/scale.ts';
import { medianLineHeight } from '../../src/knowledge/ocr.ts';
import { openStore } from '../../src/store/index.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { withOrientation } from '../../src/knowledge/orientation.ts';
import { digitsBitmap, digitsPage, docxWithEmbedded, docxWithHiddenParts, docxWithPicture, emf, filledFormPdf, garbledPdf, gifImage, officeWithHiddenParts, outlinedPdf, pdf, pdfWithAttachment, pdfWithOutline, scannedPdf, turnQuarter, wmf, wordFile, xlsx } from './fixtures.ts';
import { MAX_EMBEDDED, MAX_PICTURES } from '../../src/knowledge/ingest/document-extras.ts';

// tesseract.js + @tesseract.js-data/chi_sim are dependencies: the wasm core and the traineddata come from
// node_modules (langPath is a local folder, cacheMethod 'none'), so this runs with no network.
// The image is drawn in code (Hershey stroke digits): no font with Chinese glyphs is needed.
const DIGITS = '20261129 3721';
const digits = (s: string) => s.replace(/\D+/g, '');

describe('OCR for images and scanned PDFs (tesseract.js, offline)', () => {
  let ocr: OcrEngine;
  before(async () => {
    const engine = await createOcr();
    assert.ok(engine, 'tesseract.js and @tesseract.js-data/chi_sim are installed');
    ocr = engine;
  });
  after(() => ocr.close());

  it('reads a PNG', async () => {
    const text = await ocr(encodePng(digitsBitmap(DIGITS)));
    assert.ok(digits(text).includes(digits(DIGITS)), `OCR read ${JSON.stringify(text)}`);
  });

  it('reads a page photographed sideways or upside down: a reading of little confidence is tried turned, the most confident kept', async () => {
    const lines = ['13800138000', '11010519491231', '20261129 3721'];
    let img = turnQuarter(digitsPage(lines));
    for (const turn of ['a quarter', 'a half', 'three quarters']) {
      const text = digits(await ocr(encodePng(img)));
      // As it lies, each of these reads as noise (confidence 23–48 against 66 upright): no number survives it.
      assert.ok(text.includes('13800138000') && text.includes('202611293721'), `${turn}: OCR read ${JSON.stringify(text)}`);
      img = turnQuarter(img);
    }
  });

  it('reads small type: lines a dozen pixels tall or less are read again twice as large, and both readings kept', async () => {
    // Digits 6 px tall: read as they are, `138 oo13 aooo`; enlarged, the number.
    const text = await ocr(encodePng(digitsBitmap('138 0013 8000', 0.3, 0.6)));
    assert.ok(digits(text).includes('13800138000'), `OCR read ${JSON.stringify(text)}`);
    // The file-text reader (the gateway's) has the parsing worker enlarge it, not its own thread.
    const reader = createFileTextReader();
    try {
      const read = await reader.read('tiny.png', encodePng(digitsBitmap('138 0013 8000', 0.3, 0.6)));
      assert.ok(digits(read).includes('13800138000'), `the reader read ${JSON.stringify(read)}`);
    } finally {
      await reader.close();
    }
  });

  it('enlarges in gray by bilinear interpolation; the line height is the median of the lines that hold text', () => {
    const img = { width: 2, height: 1, rgba: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]) };
    assert.deepEqual(scaledGray(img, 2), { width: 4, height: 2, data: new Uint8Array([0, 64, 191, 255, 0, 64, 191, 255]) });
    const line = (text: string, y0: number, y1: number) => ({ text, bbox: { y0, y1 } });
    const reading = { text: '', confidence: 50, blocks: [{ paragraphs: [{ lines: [line('联系人', 0, 10), line('x', 20, 80), line('电话', 30, 41), line('号码', 50, 62)] }] }] };
    assert.equal(medianLineHeight(reading), 11);
    assert.equal(medianLineHeight({ text: '', confidence: 0, blocks: null }), null);
  });

  it('marks an image with an EXIF orientation before any other, for PNG and JPEG; other formats are not turned', () => {
    const png = encodePng(digitsBitmap('12'));
    const turned = withOrientation(png, 6)!;
    // After the signature and IHDR, an eXIf chunk whose entry is Orientation = 6; the rest as it was.
    const ihdrEnd = 8 + 25;
    assert.equal(turned.toString('latin1', ihdrEnd + 4, ihdrEnd + 8), 'eXIf');
    assert.ok(turned.includes(Buffer.from([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6])));
    assert.deepEqual(turned.subarray(turned.length - (png.length - ihdrEnd)), png.subarray(ihdrEnd));
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xd9]);
    const j = withOrientation(jpeg, 8)!;
    assert.deepEqual([...j.subarray(0, 4)], [0xff, 0xd8, 0xff, 0xe1]);
    assert.equal(j.toString('latin1', 6, 12), 'Exif\0\0');
    assert.ok(j.includes(Buffer.from([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8])));
    assert.equal(withOrientation(Buffer.from('BM not a png'), 3), null);
    assert.equal(withOrientation(Buffer.from('GIF89a'), 3), null);
  });

  it('reads a PDF with no text layer through its page image; without OCR the PDF stays no_text_layer', async () => {
    const pdf = scannedPdf(digitsBitmap(DIGITS));
    const plain = await parseDocument('scan.pdf', pdf);
    assert.equal(plain.status, 'no_text_layer');
    const read = await parseDocument('scan.pdf', pdf, { ocr });
    assert.equal(read.status, 'ready');
    assert.equal(read.metadata.ocr, 'tesseract chi_sim');
    assert.ok(digits(read.blocks.map((b) => b.text).join('')).includes('20261129'));
    assert.equal(read.blocks[0].page, 1);
  });

  it('the file-text reader (what the gateway reads attachments with) reads a scan, and stops at its deadline', async () => {
    const reader = createFileTextReader();
    try {
      const pdf = scannedPdf(digitsBitmap(DIGITS));
      assert.ok(digits(await reader.read('scan.pdf', pdf)).includes('20261129'));
      await assert.rejects(reader.read('scan.pdf', pdf, performance.now() - 1), /no time left/);
      assert.equal(await reader.read('blank.png', encodePng({ width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) })), '');
    } finally {
      await reader.close();
    }
  });

  it('the file-text reader also reads the pictures inside a document with a text layer: a PDF page\'s image, a Word file\'s media', async () => {
    const reader = createFileTextReader();
    try {
      const report = await reader.read('report.pdf', scannedPdf(digitsBitmap(DIGITS), 'Contact'));
      assert.match(report, /Contact/);
      assert.ok(digits(report).includes('202611293721'), `read ${JSON.stringify(report)}`);
      const word = await reader.read('contact.docx', docxWithPicture(encodePng(digitsBitmap(DIGITS))));
      assert.match(word, /联系方式见下图/);
      assert.ok(digits(word).includes('202611293721'), `read ${JSON.stringify(word)}`);
      // A document without pictures is read as before; a logo-sized picture is not read.
      assert.equal(await reader.read('plain.pdf', pdf(['Hello'])), 'Hello');
      const logo = encodePng({ width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(0) });
      assert.equal(await reader.read('logo.docx', docxWithPicture(logo)), '联系方式见下图');
      // Hostile: a pasted picture whose header declares 30,000 × 30,000 pixels is not decoded; the file is unread.
      const bomb = encodePng(digitsBitmap(DIGITS));
      bomb.writeUInt32BE(30_000, 16);
      bomb.writeUInt32BE(30_000, 20);
      await assert.rejects(reader.read('bomb.docx', docxWithPicture(bomb)), /30000 × 30000 pixels/);
      // Out of time before the pictures: the file is not passed as read.
      await assert.rejects(reader.read('late.docx', docxWithPicture(encodePng(digitsBitmap(DIGITS))), performance.now() - 1), /no time left/);
    } finally {
      await reader.close();
    }
  });

  it('the file-text reader reads what leaves with a document besides its body: footers, comments and authors, deleted revisions, properties, form fields', async () => {
    const reader = createFileTextReader();
    try {
      const file = docxWithHiddenParts();
      const text = await reader.read('纪要.docx', file);
      for (const part of ['会议纪要（定稿）', '13800138000', '李秀英', 'li.xiuying@example.gov.cn', '11010519491231002X', '王建国', '张伟', '赵敏']) {
        assert.ok(text.includes(part), `${part} in ${JSON.stringify(text)}`);
      }
      // A knowledge base indexes the body alone: no deleted text, no comment.
      const indexed = (await parseDocument('纪要.docx', file)).blocks.map((b) => b.text).join('\n');
      assert.equal(indexed, '会议纪要（定稿）');
      // A filled-in PDF form: the fields' values with their names as labels, a comment and its author.
      const form = await reader.read('申请表.pdf', filledFormPdf());
      for (const part of ['Application form', '姓名：张伟', 'phone：13800138000', '11010519491231002X', '李娜']) {
        assert.ok(form.includes(part), `${part} in ${JSON.stringify(form)}`);
      }
      assert.equal((await parseDocument('申请表.pdf', filledFormPdf())).blocks.map((b) => b.text).join('\n'), 'Application form');
      // A PDF's bookmarks and every entry of its information, custom ones included.
      const outlined = await reader.read('report.pdf', pdfWithOutline());
      for (const part of ['Report', '王建军 13800138000', '关于李秀英的处理意见', '11010519491231002X']) {
        assert.ok(outlined.includes(part), `${part} in ${JSON.stringify(outlined)}`);
      }
    } finally {
      await reader.close();
    }
  });

  it('the file-text reader reads pictures in every format OCR reads, metafiles, and files embedded in Office files and PDFs', async () => {
    const reader = createFileTextReader();
    try {
      // A GIF pasted into a Word file (before 2026-12-07 only PNG and JPEG were read), and a GIF sent alone.
      const gif = gifImage(digitsBitmap(DIGITS));
      assert.ok(digits(await reader.read('gif.docx', docxWithPicture(gif, 'image1.gif'))).includes('202611293721'));
      assert.ok(digits(await reader.read('photo.gif', gif)).includes('202611293721'));
      // A range of cells pasted as a picture (EMF): its text records, and the screenshot inside it.
      const drawn = await reader.read('emf.docx', docxWithPicture(emf([{ text: '身份证号 11010519491231002X' }, { picture: digitsBitmap(DIGITS) }]), 'image2.emf'));
      assert.match(drawn, /身份证号 11010519491231002X/);
      assert.ok(digits(drawn).includes('202611293721'), `read ${JSON.stringify(drawn)}`);
      // A WMF from a Chinese system: its text in GBK.
      const gbk = new Uint8Array([0xd5, 0xc5, 0xce, 0xb0, ...Buffer.from(' 13800138000', 'latin1')]);
      assert.match(await reader.read('wmf.docx', docxWithPicture(wmf(gbk), 'image3.wmf')), /张伟 13800138000/);
      // A spreadsheet pasted into a Word file as an object, and attached to a PDF: its cells are read.
      assert.match(await reader.read('embedded.docx', docxWithEmbedded(xlsx())), /王小明/);
      assert.match(await reader.read('macro.docx', docxWithEmbedded(xlsx(), 'Microsoft_Excel_Macro-Enabled_Worksheet.xlsm')), /王小明/);
      const report = await reader.read('report.pdf', pdfWithAttachment('staff.xlsx', xlsx()));
      assert.match(report, /Report/);
      assert.match(report, /王小明/);
      // A knowledge base still indexes the body alone.
      assert.equal((await parseDocument('embedded.docx', docxWithEmbedded(xlsx()))).blocks.map((b) => b.text).join('\n'), '人员名单见附表');
    } finally {
      await reader.close();
    }
  });

  it('hostile: what the reader would leave unread makes the whole file unread — a file embedded two deep, too many embedded files, too many pictures', async () => {
    const reader = createFileTextReader();
    try {
      await assert.rejects(reader.read('nested.docx', docxWithEmbedded(docxWithEmbedded(xlsx()), 'inner.docx')), /embedded in an embedded file/);
      const many: Record<string, Uint8Array> = {};
      for (let k = 0; k <= MAX_EMBEDDED; k++) many[`word/embeddings/sheet${k}.xlsx`] = xlsx();
      await assert.rejects(reader.read('many.docx', wordFile('附表', many)), new RegExp(`more than ${MAX_EMBEDDED} embedded files`));
      const pictures: Record<string, Uint8Array> = {};
      const picture = encodePng(digitsBitmap('1'));
      for (let k = 0; k <= MAX_PICTURES; k++) pictures[`word/media/image${k}.png`] = picture;
      await assert.rejects(reader.read('album.docx', wordFile('附表', pictures)), new RegExp(`more than ${MAX_PICTURES} pictures`));
    } finally {
      await reader.close();
    }
  });

  it('the file-text reader reads every part of an Office file, not only those someone listed (charts, SmartArt, masters, pivot caches, fields, variables, links, an imported web page), and a web page\'s whole source', async () => {
    const reader = createFileTextReader();
    try {
      const files = officeWithHiddenParts();
      const expected: Record<string, string[]> = {
        'report.docx': ['见图表', 'wang.jianguo@example.gov.cn', '11010519491231002X', '13800138000', '13912345678', '13700137000'],
        'pivot.xlsx': ['部门', '李秀英', '13600136000', '11010519491231002X'],
        'deck.pptx': ['年度总结', '13500135000'],
        'imported.docx': ['13300133000'],
        'page.html': ['通知', '13200132000', '13100131000', '11010519491231002X'],
        'sheet.xlsx': ['合计', '13000130000', '王秀兰', '11010519491231002X', '13900139000'],
      };
      for (const [name, parts] of Object.entries(expected)) {
        const text = await reader.read(name, files[name]);
        for (const part of parts) assert.ok(text.includes(part), `${name}: ${part} in ${JSON.stringify(text)}`);
        // A knowledge base indexes the body alone.
        const body = (await parseDocument(name, files[name])).blocks.map((b) => b.text).join('\n');
        assert.ok(!body.includes(parts.at(-1)!), `${name}: the body is as before`);
      }
      assert.ok(!(await reader.read('report.docx', files['report.docx'])).includes('Normal'), 'styles are not read');
    } finally {
      await reader.close();
    }
  });

  it('hostile: a PDF whose text layer decodes to no characters, or that is drawn with shapes, is unread — not read as empty', async () => {
    const reader = createFileTextReader();
    try {
      await assert.rejects(reader.read('garbled.pdf', garbledPdf()), /page 1 maps its glyphs to no characters/);
      await assert.rejects(reader.read('outlined.pdf', outlinedPdf()), /no text layer and no pictures/);
      // A knowledge base indexes no control characters, and says why.
      const doc = await parseDocument('garbled.pdf', garbledPdf());
      assert.equal(doc.blocks.map((b) => b.text).join('').length, 0);
      assert.match(doc.metadata.unreadable ?? '', /page 1/);
      // A scan whose picture holds no text was read all the same (a photo), and a plain PDF has nothing to say.
      assert.equal(await reader.read('blank-scan.pdf', scannedPdf({ width: 100, height: 100, data: new Uint8Array(10_000).fill(255) })), '');
      assert.equal((await parseDocument('plain.pdf', pdf(['Hello \uE000 world']))).metadata.unreadable, undefined, 'one character in private use is no garbled page');
    } finally {
      await reader.close();
    }
  });

  it('makes an ingested image searchable when knowledge.ocr is on', async () => {
    const tdb = await createTestDatabase('sqlite');
    const store = await openStore(tdb.url);
    try {
      const kb = createKnowledgeService({ store, settings: { ocr: true }, ocr });
      await kb.createBase({ tenant: 'd', name: 'scans' });
      const out = await kb.ingest(null, 'scans', { name: '扫描件.png', bytes: encodePng(digitsBitmap(DIGITS)) });
      assert.equal(out.docStatus, 'ready');
      const hits = await kb.search(null, ['scans'], '3721', { topK: 1 });
      assert.equal(hits[0]?.document, '扫描件.png');
      // OCR off: the same image is accepted but marked as having no text.
      const off = createKnowledgeService({ store, ocr });
      await off.createBase({ tenant: 'd', name: 'scans2' });
      assert.equal((await off.ingest(null, 'scans2', { name: 'a.png', bytes: encodePng(digitsBitmap('12')) })).docStatus, 'no_text_layer');
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
