import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentExtras, MAX_EMBEDDED } from '../../src/knowledge/ingest/document-extras.ts';
import { parseDocument } from '../../src/knowledge/index.ts';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { encodePng } from '../../src/knowledge/ingest/png.ts';
import { digitsBitmap, docxWithEmbedded, emf, ofd, ole10Native, oleObject, pdf, pptx, wordFile, xlsx } from './fixtures.ts';
import { gzipSync } from 'node:zlib';
import { DEFAULT_INGEST_LIMITS } from '../../src/knowledge/ingest/limits.ts';

const NATIVE = '\u0001Ole10Native';
const note = Buffer.from('附件：联系人张伟，电话13800138000。');
const withObject = (object: Uint8Array, name = 'oleObject1.bin') => docxWithEmbedded(object, name);
const extrasOf = async (docx: Uint8Array) => (await documentExtras('docx', docx)).text;

describe('OLE objects embedded in Office files (ole.ts)', () => {
  it('reads a file inserted as an object or an icon (a Package), whatever it is: text, PDF, spreadsheet', async () => {
    assert.match(await extrasOf(withObject(oleObject({ [NATIVE]: ole10Native('名单.txt', note) }))), /13800138000/);
    const report = pdf(['Contact: Zhang Wei, tel 13800138000']);
    assert.match(await extrasOf(withObject(oleObject({ [NATIVE]: ole10Native('report.pdf', report) }))), /13800138000/);
    // Without an extension the bytes say what it is.
    assert.match(await extrasOf(withObject(oleObject({ [NATIVE]: ole10Native('note', note) }))), /张伟/);
    // The body of the outer file does not change: only what leaves with it is read.
    const outer = withObject(oleObject({ [NATIVE]: ole10Native('名单.txt', note) }));
    assert.equal((await parseDocument('a.docx', outer)).blocks.map((b) => b.text).join(), '人员名单见附表');
  });

  it('reads a PDF an Acrobat object keeps in its CONTENTS stream; an equation is its preview', async () => {
    const acrobat = oleObject({ CONTENTS: pdf(['ID 11010519491231002X']), '\u0001CompObj': Buffer.from('AcroExch.Document.DC') });
    assert.match(await extrasOf(withObject(acrobat)), /11010519491231002X/);
    const equation = oleObject({ 'Equation Native': Buffer.from([0x1c, 0, 0, 0, 2, 0]), '\u0001CompObj': Buffer.from('Equation.3') });
    assert.equal(await extrasOf(withObject(equation)), '');
  });

  it('an object whose content cannot be read makes the file unread, not read and empty', async () => {
    // A Word 97–2003 document, embedded as itself or in an OLE object, and an object of some other program.
    await assert.rejects(extrasOf(withObject(oleObject({ WordDocument: note }), 'Microsoft_Word_97_-_2003_Document.doc')), /unsupported file type/);
    await assert.rejects(extrasOf(withObject(oleObject({ WordDocument: note, '\u0001CompObj': Buffer.from('Word.Document.8') }))),
      /embedded object of a kind that cannot be read \(WordDocument\)/);
    await assert.rejects(extrasOf(withObject(oleObject({ [NATIVE]: ole10Native('tools.zip', Buffer.from('PK\u0003\u0004....')) }))), /unsupported file type/);
  });

  it('hostile objects: not a compound file, a package that lies about its sizes, nested packages, too many', async () => {
    await assert.rejects(extrasOf(withObject(Buffer.from('not an OLE object at all'))), /no valid compound file/);
    const lying = Buffer.from(ole10Native('名单.txt', note));
    lying.writeUInt32LE(0xffffff00, lying.length - note.length - 4); // the file's size, far beyond the stream
    await assert.rejects(extrasOf(withObject(oleObject({ [NATIVE]: lying }))), /embedded package is malformed/);
    await assert.rejects(extrasOf(withObject(oleObject({ [NATIVE]: Buffer.from([200, 0, 0, 0, 2, 0, 0x41]) }))), /malformed/);
    // A Word file in a package in a Word file is a file embedded in an embedded file: unread, as for Office objects.
    const inner = withObject(oleObject({ [NATIVE]: ole10Native('名单.txt', note) }));
    await assert.rejects(extrasOf(withObject(oleObject({ [NATIVE]: ole10Native('inner.docx', inner) }))), /embedded in an embedded file/);
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= MAX_EMBEDDED; i++) many[`word/embeddings/oleObject${i}.bin`] = oleObject({ [NATIVE]: ole10Native(`${i}.txt`, note) });
    await assert.rejects(documentExtras('docx', wordFile('见附件', many)), /more than 8 embedded files/);
  });
});

describe('every part of an Office or OFD package is read, holds no content, or makes the file unread', () => {
  it('a macro project, a control\'s saved state, a video, a picture OCR cannot read: unread', async () => {
    for (const part of ['word/vbaProject.bin', 'word/activeX/activeX1.bin', 'ppt/media/media1.mp4', 'word/media/hdphoto1.wdp', 'word/custom/data.bin']) {
      await assert.rejects(documentExtras('docx', wordFile('会议纪要', { [part]: strToU8('13800138000') })), /parts that cannot be read: .*\//, part);
    }
  });

  it('fonts, printer settings, folders and the first-page picture are fine; the picture is read', async () => {
    const thumbnail = encodePng(digitsBitmap('13800138000'));
    const file = wordFile('会议纪要', {
      'word/fonts/font1.odttf': new Uint8Array(64), 'xl/printerSettings/printerSettings1.bin': new Uint8Array(64),
      'docProps/thumbnail.png': thumbnail, 'word/media/image1.svg': strToU8('<svg><text>联系人 张伟</text></svg>'),
    });
    const extras = await documentExtras('docx', file);
    assert.deepEqual(extras.pictures, [thumbnail], 'an attacker\'s picture in place of the thumbnail is read by OCR');
    assert.match(extras.text, /张伟/, 'an SVG drawing\'s text');
    // Folder entries, as some zip writers add them.
    const withFolders = zipSync({ 'word/': new Uint8Array(0), ...unzipSync(wordFile('会议纪要')) });
    assert.equal((await documentExtras('docx', withFolders)).text, '');
  });

  it('pictures in any media folder (a glossary\'s), JFIF, and metafiles compressed as EMZ are read; an EMZ bomb is not', async () => {
    const picture = encodePng(digitsBitmap('13800138000'));
    const glossary = await documentExtras('docx', wordFile('模板', { 'word/glossary/media/image1.png': picture, 'word/media/photo.jfif': picture }));
    assert.equal(glossary.pictures.length, 2);
    const drawing = gzipSync(emf([{ text: '身份证号' }, { text: '11010519491231002X' }]));
    assert.match((await documentExtras('docx', wordFile('见下图', { 'word/media/image1.emz': drawing }))).text, /11010519491231002X/);
    const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024));
    await assert.rejects(documentExtras('docx', wordFile('见下图', { 'word/media/image1.emz': bomb }), { limits: { ...DEFAULT_INGEST_LIMITS, maxEntryBytes: 1024 * 1024 } }), /ingest limit: word\/media\/image1.emz inflates to more than/);
  });

  it('a workbook\'s data connection and query are read from their attributes (a password, a server, the query)', async () => {
    const connections = strToU8('<connections><connection id="1" name="CRM"><dbPr connection="Provider=SQLOLEDB.1;Password=S3cr3t!pw;User ID=sa;Data Source=10.1.2.3" ' +
      `command="SELECT * FROM 客户 WHERE 手机='13800138000'"/></connection></connections>`);
    const text = (await documentExtras('xlsx', zipSync({ ...unzipSync(xlsx()), 'xl/connections.xml': connections }))).text;
    for (const v of ['S3cr3t!pw', '10.1.2.3', '13800138000']) assert.ok(text.includes(v), v);
  });

  it('text kept in attributes: a simple field\'s code, a link\'s tooltip, a validation\'s input message', async () => {
    const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const word = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8(`<w:document ${W}><w:body><w:p>` +
      '<w:fldSimple w:instr=" HYPERLINK mailto:zhang.wei@example.gov.cn "><w:r><w:t>联系我们</w:t></w:r></w:fldSimple>' +
      '<w:hyperlink w:tooltip="张伟 13800138000"><w:r><w:t>详情</w:t></w:r></w:hyperlink></w:p></w:body></w:document>') });
    const wordText = (await documentExtras('docx', word)).text;
    assert.match(wordText, /zhang\.wei@example\.gov\.cn/);
    assert.match(wordText, /13800138000/);
    const sheet = strToU8('<worksheet><sheetData/><dataValidations count="1"><dataValidation type="list" prompt="请填写经办人张伟的身份证号11010519491231002X" sqref="A1"/></dataValidations></worksheet>');
    assert.match((await documentExtras('xlsx', zipSync({ ...unzipSync(xlsx()), 'xl/worksheets/sheet9.xml': sheet }))).text, /11010519491231002X/);
    // A presentation names the authors of its comments in a list of their own.
    const authors = strToU8('<p:cmAuthorLst><p:cmAuthor id="0" name="王建国" initials="WJG" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>');
    assert.match((await documentExtras('pptx', zipSync({ ...unzipSync(pptx()), 'ppt/commentAuthors.xml': authors }))).text, /王建国/);
  });

  it('an OFD file\'s attachments (附件) are read as the files they are; one that cannot be read makes it unread', async () => {
    const withAttachment = (name: string, bytes: Uint8Array) => zipSync({
      ...unzipSync(ofd()),
      'Doc_0/Attachs/Attachments.xml': strToU8(`<ofd:Attachments xmlns:ofd="o"><ofd:Attachment ID="1" Name="名单" Format="pdf"><ofd:FileLoc>${name}</ofd:FileLoc></ofd:Attachment></ofd:Attachments>`),
      [`Doc_0/Attachs/${name}`]: bytes,
    });
    assert.match((await documentExtras('ofd', withAttachment('list.pdf', pdf(['tel 13800138000'])))).text, /13800138000/);
    assert.match((await documentExtras('ofd', withAttachment('list.txt', note))).text, /张伟/);
    // An e-invoice's signature and electronic seal hold no content of the document.
    const signed = zipSync({ ...unzipSync(ofd()), 'Doc_0/Signs/Sign_0/SignedValue.dat': new Uint8Array(32), 'Doc_0/Signs/Sign_0/Seal.esl': new Uint8Array(32) });
    await assert.doesNotReject(documentExtras('ofd', signed));
    await assert.rejects(documentExtras('ofd', withAttachment('list.doc', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))), /unsupported file type/);
  });
});
