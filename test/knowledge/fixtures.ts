import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';
import { deflateSync } from 'node:zlib';
import { pngChunk, withChunksAfterHeader } from '../../src/knowledge/ingest/png.ts';

/** Tiny documents of every format, built in code (no files shipped, nothing from ../shared). */
export const xml = (s: string) => strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${s}`);

export function docx(): Uint8Array {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  const p = (t: string, style?: string) => `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t>${t}</w:t></w:r></w:p>`;
  const row = (cells: string[]) => `<w:tr>${cells.map((c) => `<w:tc><w:p><w:r><w:t>${c}</w:t></w:r></w:p></w:tc>`).join('')}</w:tr>`;
  const body = p('差旅费管理办法', 'Heading1') + p('第一条 出差住宿费标准为每人每天500元。') +
    `<w:p><w:r><w:lastRenderedPageBreak/><w:t>第二条 报销须提供发票 &amp; 行程单。</w:t></w:r></w:p>` +
    `<w:tbl>${row(['城市', '标准'])}${row(['北京', '600元'])}</w:tbl>`;
  return zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'word/document.xml': xml(`<w:document ${W}><w:body>${body}</w:body></w:document>`),
    'docProps/core.xml': xml('<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:title>差旅费</dc:title><dc:creator>财政局</dc:creator></cp:coreProperties>'),
  });
}

/** A Word file of one paragraph, with more parts beside its body. */
export function wordFile(paragraph: string, parts: Record<string, Uint8Array> = {}): Uint8Array {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  return zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'word/document.xml': xml(`<w:document ${W}><w:body><w:p><w:r><w:t>${paragraph}</w:t></w:r></w:p></w:body></w:document>`),
    ...parts,
  });
}

/** A Word file whose text says little and whose pasted picture (word/media, PNG unless named otherwise) says the rest. */
export function docxWithPicture(png: Uint8Array, media = 'image1.png'): Uint8Array {
  return wordFile('联系方式见下图', { [`word/media/${media}`]: png });
}

/** A Word file with a harmless body and a spreadsheet pasted into it as an object (word/embeddings). */
export function docxWithEmbedded(inner: Uint8Array, name = 'Microsoft_Excel_Worksheet.xlsx'): Uint8Array {
  return wordFile('人员名单见附表', { [`word/embeddings/${name}`]: inner });
}

/** An OLE object as Office stores one in `embeddings/oleObject1.bin`: a compound file of the given streams. */
export function oleObject(streams: Record<string, Uint8Array>): Uint8Array {
  const container = CFB.utils.cfb_new();
  for (const [name, bytes] of Object.entries(streams)) CFB.utils.cfb_add(container, name, Buffer.from(bytes));
  return new Uint8Array(CFB.write(container, { type: 'buffer' }) as Buffer);
}

/** The `\x01Ole10Native` stream of a file inserted as an object (a Package): label, source path, temporary path, bytes. */
export function ole10Native(label: string, bytes: Uint8Array): Uint8Array {
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  const temp = Buffer.from(`C:\\Users\\zw\\AppData\\Local\\Temp\\${label}\0`, 'latin1');
  const body = Buffer.concat([Buffer.from([2, 0]), Buffer.from(`${label}\0C:\\Users\\zw\\${label}\0`, 'latin1'), Buffer.from([0, 0, 3, 0]),
    u32(temp.length), temp, u32(bytes.length), bytes]);
  return Buffer.concat([u32(body.length), body]);
}

/**
 * A Word file whose body is harmless and whose other parts are not: a footer, a comment and its author, text deleted
 * under tracked changes, and the document's properties.
 */
export function docxWithHiddenParts(): Uint8Array {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  return zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'word/document.xml': xml(`<w:document ${W}><w:body><w:p><w:r><w:t>会议纪要（定稿）</w:t></w:r>` +
      '<w:del w:id="1" w:author="王建国"><w:r><w:delText>请联系身份证11010519491231002X的同志</w:delText></w:r></w:del></w:p></w:body></w:document>'),
    'word/footer1.xml': xml(`<w:ftr ${W}><w:p><w:r><w:t>经办人电话 13800138000</w:t></w:r></w:p></w:ftr>`),
    'word/comments.xml': xml(`<w:comments ${W}><w:comment w:id="0" w:author="李秀英" w:initials="LXY"><w:p><w:r><w:t>邮箱改为 li.xiuying@example.gov.cn</w:t></w:r></w:p></w:comment></w:comments>`),
    'docProps/core.xml': xml('<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>张伟</dc:creator><cp:lastModifiedBy>赵敏</cp:lastModifiedBy></cp:coreProperties>'),
  });
}

/**
 * A filled-in PDF form: its text layer says only "Application form"; the name and phone are the values of its fields
 * (AcroForm widgets) and an ID number is in a comment (a Text annotation) by 李娜.
 */
export function filledFormPdf(): Uint8Array {
  const utf16 = (s: string) => `<FEFF${[...s].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('').toUpperCase()}>`;
  const content = 'BT /F1 12 Tf 72 720 Td (Application form) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 6 0 R] >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 7 0 R >> >> /Contents 4 0 R /Annots [5 0 R 6 0 R 8 0 R] >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Type /Annot /Subtype /Widget /FT /Tx /T ${utf16('姓名')} /V ${utf16('张伟')} /Rect [72 600 300 620] /P 3 0 R >>`,
    `<< /Type /Annot /Subtype /Widget /FT /Tx /T (phone) /V (13800138000) /Rect [72 560 300 580] /P 3 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents ${utf16('请核对身份证11010519491231002X')} /T ${utf16('李娜')} >>`,
  ];
  return pdfFile(objects);
}

/**
 * A dynamic XFA form as Adobe LiveCycle writes one, filled in: its page says only "Please wait…", and the values are in
 * the `datasets` packet, an XML stream (Flate-compressed) of the AcroForm's XFA array.
 */
export function xfaFormPdf(values: Record<string, string>): Uint8Array {
  const fields = Object.entries(values).map(([k, v]) => `<${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`).join('');
  const datasets = deflateSync(Buffer.from(`<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data><form1>${fields}</form1></xfa:data></xfa:datasets>`));
  const template = '<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="form1"/></template>';
  const content = 'BT /F1 12 Tf 72 720 Td (Please wait...) Tj ET';
  return pdfFile([
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA [(template) 5 0 R (datasets) 6 0 R] >> /NeedsRendering true >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 7 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Length ${template.length} >>\nstream\n${template}\nendstream`,
    [`<< /Length ${datasets.length} /Filter /FlateDecode >>\nstream\n`, datasets, '\nendstream'],
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/** A PDF file from its objects (object n is `objects[n - 1]`; Buffers are written as they are), xref offsets right. */
export function pdfFile(objects: ReadonlyArray<string | ReadonlyArray<string | Uint8Array>>, trailer = ''): Uint8Array {
  const parts: Buffer[] = [];
  let len = 0;
  const add = (x: string | Uint8Array) => { const b = typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x); parts.push(b); len += b.length; };
  add('%PDF-1.4\n');
  const offsets: number[] = [];
  objects.forEach((o, i) => { offsets.push(len); add(`${i + 1} 0 obj\n`); (typeof o === 'string' ? [o] : o).forEach(add); add('\nendobj\n'); });
  const xref = len;
  add(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  add(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailer}>>\nstartxref\n${xref}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

/** PDF text as UTF-16 in hex, the way writers put Chinese into strings. */
const pdfUtf16 = (s: string) => `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;

/** A PDF whose page says "Report" and whose bookmark, subject and a custom entry of its information say the rest. */
export function pdfWithOutline(): Uint8Array {
  return onePagePdf('BT /F1 12 Tf 72 720 Td (Report) Tj ET', { catalog: '/Outlines 5 0 R ', resources: '/Font << /F1 8 0 R >>', trailer: '/Info 7 0 R ' }, [
    '<< /Type /Outlines /First 6 0 R /Last 6 0 R /Count 1 >>',
    `<< /Title ${pdfUtf16('附件：王建军 13800138000')} /Parent 5 0 R /Dest [3 0 R /Fit] >>`,
    `<< /Subject ${pdfUtf16('关于李秀英的处理意见')} /Reviewer (11010519491231002X) >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

/**
 * A one-page PDF: catalog (1, with `catalog` added), pages (2), the page (3, with `resources`) and its content stream (4);
 * `more` are objects 5, 6, … .
 */
export function onePagePdf(content: string, opts: { catalog?: string; resources?: string; trailer?: string } = {}, more: ReadonlyArray<string | ReadonlyArray<string | Uint8Array>> = []): Uint8Array {
  return pdfFile([
    `<< /Type /Catalog /Pages 2 0 R ${opts.catalog ?? ''}>>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ${opts.resources ? `/Resources << ${opts.resources} >> ` : ''}/Contents 4 0 R >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    ...more,
  ], opts.trailer);
}

/** A one-page PDF whose page says `caption` and which carries `bytes` as an attached file named `name`. */
export function pdfWithAttachment(name: string, bytes: Uint8Array, caption = 'Report'): Uint8Array {
  return onePagePdf(`BT /F1 12 Tf 72 720 Td (${caption}) Tj ET`, {
    catalog: `/Names << /EmbeddedFiles << /Names [(${name}) 5 0 R] >> >> `, resources: '/Font << /F1 7 0 R >>',
  }, [
    `<< /Type /Filespec /F (${name}) /UF (${name}) /EF << /F 6 0 R >> >>`,
    [`<< /Type /EmbeddedFile /Length ${bytes.length} >>\nstream\n`, bytes, '\nendstream'],
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
}

export function xlsx(): Uint8Array {
  return zipSync({
    'xl/workbook.xml': xml('<workbook xmlns:r="r"><sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    'xl/_rels/workbook.xml.rels': xml('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
    'xl/sharedStrings.xml': xml('<sst><si><t>姓名</t></si><si><t>岗位</t></si><si><t>王小明</t></si><si><r><t>会计</t></r><r><t>主管</t></r></si></sst>'),
    'xl/worksheets/sheet1.xml': xml('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>工龄</t></is></c></row>' +
      '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2"><v>12</v></c></row></sheetData></worksheet>'),
  });
}

export function pptx(): Uint8Array {
  const slide = (title: string, body: string) => xml(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree>` +
    `<p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>${title}</a:t></a:r></a:p></p:txBody></p:sp>` +
    `<p:sp><p:txBody><a:p><a:r><a:t>${body}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`);
  return zipSync({
    'ppt/presentation.xml': xml('<p:presentation xmlns:p="p"/>'),
    'ppt/slides/slide1.xml': slide('年度工作总结', '全年完成项目二十个。'),
    'ppt/slides/slide2.xml': slide('明年计划', '推进数字政府建设。'),
  });
}

export function ofd(): Uint8Array {
  return zipSync({
    'OFD.xml': xml('<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocInfo><ofd:Title>通知</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
    'Doc_0/Document.xml': xml('<ofd:Document xmlns:ofd="o"><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'),
    'Doc_0/Pages/Page_0/Content.xml': xml('<ofd:Page xmlns:ofd="o"><ofd:Content><ofd:Layer>' +
      '<ofd:TextObject ID="2" Boundary="10 10 100 5"><ofd:TextCode X="0" Y="4">关于开展安全检查的</ofd:TextCode></ofd:TextObject>' +
      '<ofd:TextObject ID="3" Boundary="10 10 100 5"><ofd:TextCode X="0" Y="4">通知。</ofd:TextCode></ofd:TextObject>' +
      '<ofd:TextObject ID="4" Boundary="10 20 100 5"><ofd:TextCode X="0" Y="4">请各单位于月底前完成自查。</ofd:TextCode></ofd:TextObject>' +
      '</ofd:Layer></ofd:Content></ofd:Page>'),
  });
}

/** A PDF written by hand: one page per entry of `pages` (ASCII text with Helvetica), correct xref offsets. */
export function pdf(pages: readonly string[]): Uint8Array {
  const objects: string[] = [];
  const pageIds: number[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  let next = 4;
  for (const text of pages) {
    const stream = text ? `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET` : '';
    const contentId = next++;
    const pageId = next++;
    objects[contentId] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
    pageIds.push(pageId);
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((i) => `${i} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  return pdfFile(objects.slice(1));
}

/** "你好，中文世界。" in GBK, written byte by byte (Node has no GBK encoder). */
export const GBK_HELLO = new Uint8Array([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xd6, 0xd0, 0xce, 0xc4, 0xca, 0xc0, 0xbd, 0xe7, 0xa1, 0xa3]);

/**
 * Digits and spaces drawn with the Hershey simplex strokes (public-domain vector font) as an anti-aliased
 * 8-bit gray bitmap: an image for OCR tests that needs no font files (there is no Chinese font to render with).
 */
const HERSHEY: Record<string, number[]> = {
  '0': [9, 21, 6, 20, 4, 17, 3, 12, 3, 9, 4, 4, 6, 1, 9, 0, 11, 0, 14, 1, 16, 4, 17, 9, 17, 12, 16, 17, 14, 20, 11, 21, 9, 21],
  '1': [6, 17, 8, 18, 11, 21, 11, 0],
  '2': [4, 16, 4, 17, 5, 19, 6, 20, 8, 21, 12, 21, 14, 20, 15, 19, 16, 17, 16, 15, 15, 13, 13, 10, 3, 0, 17, 0],
  '3': [5, 21, 16, 21, 10, 13, 13, 13, 15, 12, 16, 11, 17, 8, 17, 6, 16, 3, 14, 1, 11, 0, 8, 0, 5, 1, 4, 2, 3, 4],
  '4': [13, 21, 3, 7, 18, 7, -1, -1, 13, 21, 13, 0],
  '5': [15, 21, 5, 21, 4, 12, 5, 13, 8, 14, 11, 14, 14, 13, 16, 11, 17, 8, 17, 6, 16, 3, 14, 1, 11, 0, 8, 0, 5, 1, 4, 2, 3, 4],
  '6': [16, 18, 15, 20, 12, 21, 10, 21, 7, 20, 5, 17, 4, 12, 4, 7, 5, 3, 7, 1, 10, 0, 11, 0, 14, 1, 16, 3, 17, 6, 17, 7, 16, 10, 14, 12, 11, 13, 10, 13, 7, 12, 5, 10, 4, 7],
  '7': [17, 21, 7, 0, -1, -1, 3, 21, 17, 21],
  '8': [8, 21, 5, 20, 4, 18, 4, 16, 5, 14, 7, 13, 11, 12, 14, 11, 16, 9, 17, 7, 17, 4, 16, 2, 15, 1, 12, 0, 8, 0, 5, 1, 4, 2, 3, 4, 3, 7, 4, 9, 6, 11, 9, 12, 13, 13, 15, 14, 16, 16, 16, 18, 15, 20, 12, 21, 8, 21],
  '9': [16, 14, 15, 11, 13, 9, 10, 8, 9, 8, 6, 9, 4, 11, 3, 14, 3, 15, 4, 18, 6, 20, 9, 21, 10, 21, 13, 20, 15, 18, 16, 14, 16, 9, 15, 4, 13, 1, 10, 0, 8, 0, 5, 1, 4, 3],
  ' ': [],
};

export function digitsBitmap(text: string, scale = 2, pen = 2.2): { width: number; height: number; channels: 1; data: Uint8Array } {
  const adv = 20 * scale, pad = 20;
  const width = Math.ceil(text.length * adv + 2 * pad), height = Math.ceil(21 * scale + 2 * pad);
  const segs: Array<[number, number, number, number]> = [];
  [...text].forEach((c, k) => {
    const p = HERSHEY[c] ?? [];
    const X = (x: number) => pad + k * adv + x * scale, Y = (y: number) => pad + (21 - y) * scale;
    for (let i = 0; i + 3 < p.length; i += 2) if (p[i] >= 0 && p[i + 2] >= 0) segs.push([X(p[i]), Y(p[i + 1]), X(p[i + 2]), Y(p[i + 3])]);
  });
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    let d = Infinity;
    for (const [ax, ay, bx, by] of segs) {
      const dx = bx - ax, dy = by - ay, l = dx * dx + dy * dy;
      const t = Math.max(0, Math.min(1, l ? ((x - ax) * dx + (y - ay) * dy) / l : 0));
      d = Math.min(d, Math.hypot(ax + t * dx - x, ay + t * dy - y));
    }
    data[y * width + x] = Math.round(255 * Math.max(0, Math.min(1, d - pen + 0.5)));
  }
  return { width, height, channels: 1, data };
}

type Gray = ReturnType<typeof digitsBitmap>;

/** Lines of drawn digits one under another: a small page. */
export function digitsPage(lines: string[], scale?: number, pen?: number): Gray {
  const bitmaps = lines.map((l) => digitsBitmap(l, scale, pen));
  const width = Math.max(...bitmaps.map((b) => b.width));
  const height = bitmaps.reduce((n, b) => n + b.height, 0);
  const data = new Uint8Array(width * height).fill(255);
  let top = 0;
  for (const b of bitmaps) {
    for (let y = 0; y < b.height; y++) data.set(b.data.subarray(y * b.width, (y + 1) * b.width), (top + y) * width);
    top += b.height;
  }
  return { width, height, channels: 1, data };
}

/** The image turned a quarter clockwise (a page photographed sideways). */
export function turnQuarter(g: Gray): Gray {
  const data = new Uint8Array(g.width * g.height);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) data[x * g.height + (g.height - 1 - y)] = g.data[y * g.width + x];
  return { width: g.height, height: g.width, channels: 1, data };
}

/** A PDF with no text layer: each page is one gray image (what a scanner produces). */
type GrayImage = Pick<Gray, 'width' | 'height' | 'data'>;
export function scannedPdf(pages: GrayImage | readonly GrayImage[], caption?: string): Uint8Array {
  const images: readonly GrayImage[] = Array.isArray(pages) ? pages : [pages];
  // With a caption the first page has a text layer too: a report with a picture pasted in.
  const text = caption ? `BT /F1 12 Tf 72 720 Td (${caption.replace(/[()\\]/g, '\\$&')}) Tj ET ` : '';
  const page = (i: number) => 4 + 3 * i; // a page, its contents and its image are objects n, n + 1, n + 2
  const objects: Array<Array<string | Buffer>> = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    [`<< /Type /Pages /Kids [${images.map((_, i) => `${page(i)} 0 R`).join(' ')}] /Count ${images.length} >>`],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  ];
  images.forEach((img, i) => {
    const stream = deflateSync(img.data);
    const content = `${i === 0 ? text : ''}q ${img.width} 0 0 ${img.height} 36 400 cm /Im0 Do Q`;
    objects.push(
      [`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 ${page(i) + 2} 0 R >> /Font << /F1 3 0 R >> >> /Contents ${page(i) + 1} 0 R >>`],
      [`<< /Length ${content.length} >>\nstream\n${content}\nendstream`],
      [`<< /Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${stream.length} >>\nstream\n`, stream, '\nendstream'],
    );
  });
  return pdfFile(objects);
}

/**
 * A gray image as a GIF: a 256-gray palette, LZW codes kept at 9 bits by a clear code before every 254 pixels (the
 * simplest valid stream; no compression).
 */
export function gifImage(g: Gray): Uint8Array {
  const out: number[] = [];
  const u16 = (n: number) => out.push(n & 255, n >> 8);
  out.push(...Buffer.from('GIF89a'));
  u16(g.width); u16(g.height); out.push(0xf7, 0, 0);
  for (let i = 0; i < 256; i++) out.push(i, i, i);
  out.push(0x2c); u16(0); u16(0); u16(g.width); u16(g.height); out.push(0, 8);
  const bytes: number[] = [];
  let acc = 0, bits = 0;
  const code = (c: number) => { acc |= c << bits; bits += 9; while (bits >= 8) { bytes.push(acc & 255); acc >>>= 8; bits -= 8; } };
  g.data.forEach((v, i) => { if (i % 254 === 0) code(256); code(v); });
  code(257);
  if (bits > 0) bytes.push(acc & 255);
  for (let i = 0; i < bytes.length; i += 255) { const run = bytes.slice(i, i + 255); out.push(run.length, ...run); }
  out.push(0, 0x3b);
  return new Uint8Array(out);
}

/** One frame of an animated GIF: a gray picture at (x, y), with its disposal (0–3), a transparent gray level, interlacing. */
export interface GifFrame { picture: GrayImage; x?: number; y?: number; disposal?: number; transparent?: number; interlaced?: boolean }

/**
 * An animated GIF of gray frames on a `width` × `height` screen (256-gray palette), each frame LZW-compressed the way
 * encoders do it (a growing dictionary, codes from 9 to 12 bits, a clear code when it is full), so that a decoder's
 * dictionary is exercised; a graphic control extension before each frame gives its disposal and transparency.
 */
export function animatedGif(width: number, height: number, frames: readonly GifFrame[]): Uint8Array {
  const out: number[] = [];
  const u16 = (n: number) => out.push(n & 255, n >> 8);
  out.push(...Buffer.from('GIF89a'));
  u16(width); u16(height); out.push(0xf7, 0, 0);
  for (let i = 0; i < 256; i++) out.push(i, i, i);
  out.push(0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0); // loop forever, as animations say
  for (const f of frames) {
    const t = f.transparent;
    out.push(0x21, 0xf9, 4, ((f.disposal ?? 0) << 2) | (t === undefined ? 0 : 1), 10, 0, t ?? 0, 0);
    out.push(0x2c); u16(f.x ?? 0); u16(f.y ?? 0); u16(f.picture.width); u16(f.picture.height); out.push(f.interlaced ? 0x40 : 0);
    const { width: w, height: h, data } = f.picture;
    let pixels = data;
    if (f.interlaced) {
      const rows: number[] = [];
      for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let r = start; r < h; r += step) rows.push(r);
      pixels = new Uint8Array(w * h);
      rows.forEach((r, k) => pixels.set(data.subarray(r * w, (r + 1) * w), k * w));
    }
    const bytes = lzwEncode(pixels, 8);
    out.push(8);
    for (let i = 0; i < bytes.length; i += 255) { const run = bytes.slice(i, i + 255); out.push(run.length, ...run); }
    out.push(0);
  }
  out.push(0x3b);
  return new Uint8Array(out);
}

/** The gray level at (x, y) of each screen an animation shows (gif.ts, apng.ts): what a viewer sees there, frame by frame. */
export function levelsAt(screens: Iterable<{ width: number; rgb: Uint8Array }>, x: number, y: number): number[] {
  const out: number[] = [];
  for (const { width, rgb } of screens) out.push(rgb[3 * (y * width + x)]);
  return out;
}

/** One frame of an animated PNG: gray pixels (and their alpha) at (x, y), with its dispose (0–2) and blend (0: replace, 1: over) ops. */
export interface PngFrame { picture: GrayImage; alpha?: Uint8Array; x?: number; y?: number; dispose?: number; blend?: number }

/**
 * An animated PNG (APNG) of gray frames with alpha (colour type 4) on a `width` × `height` screen, as animation tools
 * write it: the first frame is the still image (fcTL before IDAT), the others fdAT chunks, each frame's rows filtered
 * with Paeth (the filter a decoder most often gets wrong) and deflated.
 */
export function animatedPng(width: number, height: number, frames: readonly PngFrame[]): Uint8Array {
  const u32 = (...values: number[]) => { const b = Buffer.alloc(4 * values.length); values.forEach((v, i) => b.writeUInt32BE(v, 4 * i)); return b; };
  const header = Buffer.concat([u32(width, height), Buffer.from([8, 4, 0, 0, 0])]);
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', header), pngChunk('acTL', u32(frames.length, 0))];
  let sequence = 0;
  frames.forEach((f, k) => {
    const { width: w, height: h, data } = f.picture;
    const control = Buffer.concat([u32(sequence++, w, h, f.x ?? 0, f.y ?? 0), Buffer.from([0, 1, 0, 10, f.dispose ?? 0, f.blend ?? 0])]);
    parts.push(pngChunk('fcTL', control));
    // Rows of gray and alpha, each filtered with Paeth against the row above.
    const row = 2 * w;
    const pixels = new Uint8Array(row * h);
    for (let i = 0; i < w * h; i++) { pixels[2 * i] = data[i]; pixels[2 * i + 1] = f.alpha?.[i] ?? 255; }
    const raw = Buffer.alloc((row + 1) * h);
    for (let y = 0; y < h; y++) {
      raw[y * (row + 1)] = 4;
      for (let i = 0; i < row; i++) {
        const a = i >= 2 ? pixels[y * row + i - 2] : 0;
        const b = y > 0 ? pixels[(y - 1) * row + i] : 0;
        const c = y > 0 && i >= 2 ? pixels[(y - 1) * row + i - 2] : 0;
        const p = a + b - c;
        const predictor = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        raw[y * (row + 1) + 1 + i] = (pixels[y * row + i] - predictor) & 255;
      }
    }
    const compressed = deflateSync(raw);
    parts.push(k === 0 ? pngChunk('IDAT', compressed) : pngChunk('fdAT', Buffer.concat([u32(sequence++), compressed])));
  });
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return new Uint8Array(Buffer.concat(parts));
}

/** GIF's variable-width LZW, as an encoder writes it. */
function lzwEncode(pixels: Uint8Array, minCodeSize: number): number[] {
  const clear = 1 << minCodeSize;
  const bytes: number[] = [];
  let acc = 0, bits = 0, size = minCodeSize + 1, next = clear + 2;
  const dict = new Map<number, number>();
  const emit = (code: number) => { acc |= code << bits; bits += size; while (bits >= 8) { bytes.push(acc & 255); acc >>>= 8; bits -= 8; } };
  emit(clear);
  let prefix = pixels[0];
  for (let i = 1; i < pixels.length; i++) {
    const c = pixels[i];
    const known = dict.get(prefix * 256 + c);
    if (known !== undefined) { prefix = known; continue; }
    emit(prefix);
    if (next < 4095) {
      dict.set(prefix * 256 + c, next++);
      if (next > 1 << size && size < 12) size++;
    } else {
      emit(clear);
      dict.clear(); size = minCodeSize + 1; next = clear + 2;
    }
    prefix = c;
  }
  emit(prefix);
  emit(clear + 1);
  if (bits > 0) bytes.push(acc & 255);
  return bytes;
}

/**
 * A multi-page TIFF of gray pages (uncompressed, one strip each, little-endian), as a scanner writes a document: each
 * page's pixels, then its directory, which links to the next page's.
 */
export function multiPageTiff(pages: readonly GrayImage[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0])];
  let offset = 8;
  const directories: number[] = [];
  for (const p of pages) {
    const pixels = Buffer.from(p.data);
    const at = offset;
    parts.push(pixels, Buffer.alloc(pixels.length % 2));
    offset += pixels.length + (pixels.length % 2);
    // width, height, 8 bits, no compression, black is zero, the strip, 1 sample, rows per strip, the strip's bytes
    const entries = [[256, 4, p.width], [257, 4, p.height], [258, 3, 8], [259, 3, 1], [262, 3, 1], [273, 4, at], [277, 3, 1], [278, 4, p.height], [279, 4, pixels.length]];
    const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], k) => {
      ifd.writeUInt16LE(tag, 2 + 12 * k); ifd.writeUInt16LE(type, 4 + 12 * k); ifd.writeUInt32LE(1, 6 + 12 * k);
      if (type === 3) ifd.writeUInt16LE(value, 10 + 12 * k); else ifd.writeUInt32LE(value, 10 + 12 * k);
    });
    directories.push(offset);
    parts.push(ifd);
    offset += ifd.length;
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(directories[0], 4);
  directories.slice(1).forEach((next, k) => out.writeUInt32LE(next, directories[k] + 2 + 12 * 9));
  return new Uint8Array(out);
}

/** A gray image as a device-independent bitmap: BITMAPINFOHEADER (24-bit, bottom-up) and its rows, each padded to 4 bytes. */
export function dibOf(g: Gray): { info: Buffer; bits: Buffer } {
  const row = Math.ceil((g.width * 3) / 4) * 4;
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0); info.writeInt32LE(g.width, 4); info.writeInt32LE(g.height, 8);
  info.writeUInt16LE(1, 12); info.writeUInt16LE(24, 14); info.writeUInt32LE(row * g.height, 20);
  const bits = Buffer.alloc(row * g.height);
  for (let y = 0; y < g.height; y++) for (let x = 0; x < g.width; x++) bits.fill(g.data[(g.height - 1 - y) * g.width + x], y * row + 3 * x, y * row + 3 * x + 3);
  return { info, bits };
}

const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
const record = (type: number, body: Buffer) => { const head = Buffer.alloc(8); head.writeUInt32LE(type, 0); head.writeUInt32LE(8 + body.length, 4); return Buffer.concat([head, body]); };

/** One EMF record for each piece of a drawing: Unicode text, text drawn as glyph indices, EMF+ text, or a bitmap. */
export type EmfPart = { text: string } | { glyphs: number[] } | { emfPlusText: string } | { picture: Gray };

/** An EMF file (what Office keeps for a chart or a range of cells pasted as a picture), written record by record. */
export function emf(parts: readonly EmfPart[]): Uint8Array {
  const records: Buffer[] = [];
  for (const part of parts) {
    if ('text' in part || 'glyphs' in part) {
      const glyphs = 'glyphs' in part;
      const chars = glyphs ? Buffer.from(Uint16Array.from(part.glyphs).buffer) : Buffer.from(part.text, 'utf16le');
      const body = Buffer.alloc(68); // Bounds, graphics mode, scales; EmrText: reference, chars, offString, options, rectangle, offDx
      body.writeUInt32LE(chars.length / 2, 36);
      body.writeUInt32LE(76, 40);
      body.writeUInt32LE(glyphs ? 0x10 : 0, 44);
      records.push(record(84, Buffer.concat([body, pad4(chars)])));
    } else if ('emfPlusText' in part) {
      const text = pad4(Buffer.from(part.emfPlusText, 'utf16le'));
      const draw = Buffer.alloc(40);
      draw.writeUInt16LE(0x401c, 0); draw.writeUInt32LE(40 + text.length, 4); draw.writeUInt32LE(28 + text.length, 8);
      draw.writeUInt32LE(part.emfPlusText.length, 20);
      const data = Buffer.concat([Buffer.from('EMF+', 'latin1'), draw, text]);
      const size = Buffer.alloc(4);
      size.writeUInt32LE(data.length);
      records.push(record(70, Buffer.concat([size, data])));
    } else {
      const { info, bits } = dibOf(part.picture);
      const body = Buffer.alloc(72); // up to cyDest; offsets count from the record's start
      body.writeUInt32LE(80, 40); body.writeUInt32LE(info.length, 44);
      body.writeUInt32LE(80 + info.length, 48); body.writeUInt32LE(bits.length, 52);
      records.push(record(81, Buffer.concat([body, info, bits])));
    }
  }
  const header = Buffer.alloc(80);
  header.writeUInt32LE(0x464d4520, 32); // " EMF"
  header.writeUInt32LE(0x10000, 36);
  const eof = record(14, Buffer.alloc(12));
  const all = [record(1, header), ...records, eof];
  const file = Buffer.concat(all);
  file.writeUInt32LE(file.length, 48);
  file.writeUInt32LE(all.length, 52);
  return new Uint8Array(file);
}

/** A placeable WMF whose one text record holds `text` as the bytes of an ANSI code page (GBK on a Chinese system). */
export function wmf(text: Uint8Array): Uint8Array {
  const placeable = Buffer.alloc(22);
  placeable.writeUInt32LE(0x9ac6cdd7, 0);
  const header = Buffer.alloc(18);
  header.writeUInt16LE(1, 0); header.writeUInt16LE(9, 2); header.writeUInt16LE(0x300, 4);
  const string = text.length % 2 ? Buffer.concat([Buffer.from(text), Buffer.alloc(1)]) : Buffer.from(text);
  const textOut = Buffer.alloc(14 + string.length);
  textOut.writeUInt32LE(textOut.length / 2, 0); textOut.writeUInt16LE(0x0a32, 4);
  textOut.writeInt16LE(text.length, 10);
  string.copy(textOut, 14);
  const eof = Buffer.from([3, 0, 0, 0, 0, 0]);
  return new Uint8Array(Buffer.concat([placeable, header, textOut, eof]));
}

/**
 * A one-page PDF whose text is drawn with a Type 3 font of made-up glyph names and no Unicode map: the page shows
 * glyphs, its text layer reads as control characters (what a subset font without ToUnicode gives too).
 */
export function garbledPdf(): Uint8Array {
  const glyph = '1000 0 0 0 750 750 d1 0 0 750 750 re f';
  const proc = `<< /Length ${glyph.length} >>\nstream\n${glyph}\nendstream`;
  return onePagePdf('BT /F1 24 Tf 72 700 Td <0102030102030102> Tj ET', { resources: '/Font << /F1 5 0 R >>' }, [
    '<< /Type /Font /Subtype /Type3 /FontBBox [0 0 750 750] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /g1 6 0 R /g2 7 0 R /g3 8 0 R >> ' +
      '/Encoding << /Type /Encoding /Differences [1 /g1 /g2 /g3] >> /FirstChar 1 /LastChar 3 /Widths [1000 1000 1000] /Resources << >> >>',
    proc, proc, proc,
  ]);
}

/** A one-page PDF drawn with shapes alone (text turned into outlines looks like this): no text layer, no picture. */
export function outlinedPdf(): Uint8Array {
  return onePagePdf('0 0 0 rg 72 700 m 90 740 l 108 700 l f 120 700 20 40 re f');
}

/**
 * Office files whose bodies are harmless and whose other parts are not, one per part a reader might forget: a chart's
 * cached labels, SmartArt, a slide master's footer, a pivot cache that outlived its data sheet, a document variable, a
 * field code, an external link to a path on someone's disk.
 */
export function officeWithHiddenParts(): Record<string, Uint8Array> {
  const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  const docx = zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'word/document.xml': xml(`<w:document ${W}><w:body><w:p><w:r><w:t>见图表</w:t></w:r>` +
      '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "mailto:wang.jianguo@example.gov.cn" </w:instrText></w:r></w:p></w:body></w:document>'),
    'word/charts/chart1.xml': xml('<c:chartSpace xmlns:c="c"><c:cat><c:strCache><c:pt idx="0"><c:v>身份证11010519491231002X</c:v></c:pt></c:strCache></c:cat></c:chartSpace>'),
    'word/diagrams/data1.xml': xml('<dgm:dataModel xmlns:dgm="d" xmlns:a="a"><dgm:ptLst><dgm:pt><dgm:t><a:p><a:r><a:t>办公室主任 电话13800138000</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>'),
    'word/settings.xml': xml(`<w:settings ${W}><w:docVars><w:docVar w:name="承办人手机" w:val="13912345678"/></w:docVars></w:settings>`),
    'word/_rels/document.xml.rels': xml('<Relationships><Relationship Id="r9" Type="hyperlink" Target="file:///C:/Users/zhangwei/Desktop/13700137000.xlsx" TargetMode="External"/></Relationships>'),
    'word/styles.xml': xml(`<w:styles ${W}><w:style><w:name w:val="Normal"/></w:style></w:styles>`),
  });
  const xlsxFile = zipSync({
    'xl/workbook.xml': xml('<workbook xmlns:r="r"><sheets><sheet name="汇总" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    'xl/_rels/workbook.xml.rels': xml('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
    'xl/worksheets/sheet1.xml': xml('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>部门</t></is></c></row></sheetData></worksheet>'),
    'xl/pivotCache/pivotCacheDefinition1.xml': xml('<pivotCacheDefinition><cacheFields><cacheField name="姓名"><sharedItems><s v="李秀英"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>'),
    'xl/pivotCache/pivotCacheRecords1.xml': xml('<pivotCacheRecords><r><x v="0"/><n v="13600136000"/><s v="11010519491231002X"/></r></pivotCacheRecords>'),
  });
  const slide = (text: string) => xml(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`);
  const pptxFile = zipSync({
    'ppt/presentation.xml': xml('<p:presentation xmlns:p="p"/>'),
    'ppt/slides/slide1.xml': slide('年度总结'),
    'ppt/slideMasters/slideMaster1.xml': xml('<p:sldMaster xmlns:p="p" xmlns:a="a"><a:t>内部资料 联系人李娜 13500135000</a:t></p:sldMaster>'),
  });
  // A "Word" file as web systems write it: the body imports a web page (altChunk) kept as MHT, quoted-printable.
  const qp = [...Buffer.from('<html><body><p>申请人电话 13300133000</p></body></html>')].map((c) => (c < 128 && c !== 61 ? String.fromCharCode(c) : `=${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  const mht = `MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\nContent-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp.replace(/(.{70})/g, '$1=\r\n')}\r\n--B--\r\n`;
  const imported = zipSync({
    '[Content_Types].xml': xml('<Types/>'),
    'word/document.xml': xml(`<w:document ${W}><w:body><w:altChunk r:id="htmlChunk" xmlns:r="r"/></w:body></w:document>`),
    'word/afchunk.mht': strToU8(mht),
  });
  // A web page whose visible text is harmless: a comment, a hidden field and the author's meta tag are not.
  const page = strToU8('<html><head><meta name="author" content="联系人 13200132000"></head><body><p>通知</p><!-- 经办 13100131000 -->' +
    '<input type="hidden" name="id" value="11010519491231002X"></body></html>');
  // A worksheet whose cells are harmless: its printed footer, a formula, a data validation list and a picture's alt text are not.
  const sheet = zipSync({
    'xl/workbook.xml': xml('<workbook xmlns:r="r"><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    'xl/_rels/workbook.xml.rels': xml('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
    'xl/worksheets/sheet1.xml': xml('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>合计</t></is></c>' +
      '<c r="B1" t="str"><f>"联系"&amp;"13000130000"</f><v>联系</v></c></row></sheetData>' +
      '<dataValidations><dataValidation type="list"><formula1>"李建国,王秀兰"</formula1></dataValidation></dataValidations>' +
      '<headerFooter><oddFooter>&amp;L制表人 13900139000</oddFooter></headerFooter></worksheet>'),
    'xl/drawings/drawing1.xml': xml('<xdr:wsDr xmlns:xdr="x"><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="图片 1" descr="张建华身份证 11010519491231002X"/></xdr:nvPicPr></xdr:pic></xdr:wsDr>'),
  });
  return { 'report.docx': docx, 'pivot.xlsx': xlsxFile, 'deck.pptx': pptxFile, 'imported.docx': imported, 'page.html': page, 'sheet.xlsx': sheet };
}

/** A PNG with text chunks after its header: tEXt (Latin-1), iTXt (UTF-8), and an eXIf chunk (EXIF in PNG). */
export function pngWithText(png: Uint8Array, chunks: { tEXt?: string; iTXt?: string; exif?: Uint8Array }): Uint8Array {
  const extra: Buffer[] = [];
  if (chunks.tEXt !== undefined) extra.push(pngChunk('tEXt', Buffer.from(`Comment\0${chunks.tEXt}`, 'latin1')));
  if (chunks.iTXt !== undefined) extra.push(pngChunk('iTXt', Buffer.concat([Buffer.from('Description\0\0\0\0\0', 'latin1'), Buffer.from(chunks.iTXt)])));
  if (chunks.exif !== undefined) extra.push(pngChunk('eXIf', Buffer.from(chunks.exif)));
  return new Uint8Array(withChunksAfterHeader(png, extra)!);
}

/**
 * EXIF as a TIFF structure (little-endian): IFD0 with an Artist (UTF-8, as Chinese software writes it) and an XPComment
 * (UTF-16, as Windows Explorer writes it).
 */
export function exifTiff(artist: string, xpComment: string): Uint8Array {
  const a = Buffer.concat([Buffer.from(artist), Buffer.alloc(1)]);
  const x = Buffer.concat([Buffer.from(xpComment, 'utf16le'), Buffer.alloc(2)]);
  const ifd = 8;
  const data = ifd + 2 + 2 * 12 + 4;
  const t = Buffer.alloc(data + a.length + x.length);
  t.write('II', 0, 'latin1');
  t.writeUInt16LE(42, 2);
  t.writeUInt32LE(ifd, 4);
  t.writeUInt16LE(2, ifd);
  const entry = (k: number, tag: number, type: number, count: number, offset: number) => {
    const at = ifd + 2 + 12 * k;
    t.writeUInt16LE(tag, at); t.writeUInt16LE(type, at + 2); t.writeUInt32LE(count, at + 4); t.writeUInt32LE(offset, at + 8);
  };
  entry(0, 0x013b, 2, a.length, data);
  entry(1, 0x9c9c, 1, x.length, data + a.length);
  a.copy(t, data);
  x.copy(t, data + a.length);
  return new Uint8Array(t);
}

/**
 * EXIF as a TIFF structure whose IFD0 points to a GPS IFD: latitude and longitude (decimal degrees, negative for S
 * and W) written as phones write them, degrees, minutes and seconds as rationals (seconds in hundredths). `MM` is
 * big-endian, as iPhones write it.
 */
export function exifGps(lat: number, lon: number, order: 'II' | 'MM' = 'II'): Uint8Array {
  const t = Buffer.alloc(8 + 6 + 12 + 2 + 4 * 12 + 4 + 48);
  const u16 = (v: number, at: number) => (order === 'II' ? t.writeUInt16LE(v, at) : t.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (order === 'II' ? t.writeUInt32LE(v, at) : t.writeUInt32BE(v, at));
  t.write(order, 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  u16(1, 8); // IFD0: one entry, the GPS IFD's offset
  u16(0x8825, 10); u16(4, 12); u32(1, 14); u32(26, 18);
  const gps = 26;
  u16(4, gps);
  const values = gps + 2 + 4 * 12 + 4;
  const entry = (k: number, tag: number, type: number, count: number, value: (at: number) => void) => {
    const at = gps + 2 + 12 * k;
    u16(tag, at); u16(type, at + 2); u32(count, at + 4); value(at + 8);
  };
  const dms = (deg: number, at: number) => {
    const a = Math.abs(deg);
    const d = Math.floor(a);
    const m = Math.floor((a - d) * 60);
    const s = Math.round(((a - d) * 60 - m) * 60 * 100);
    [d, 1, m, 1, s, 100].forEach((v, i) => u32(v, at + 4 * i));
  };
  entry(0, 1, 2, 2, (at) => t.write(lat < 0 ? 'S' : 'N', at, 'latin1'));
  entry(1, 2, 5, 3, (at) => u32(values, at));
  entry(2, 3, 2, 2, (at) => t.write(lon < 0 ? 'W' : 'E', at, 'latin1'));
  entry(3, 4, 5, 3, (at) => u32(values + 24, at));
  dms(lat, values);
  dms(lon, values + 24);
  return new Uint8Array(t);
}

/** The header of a JPEG (not its pixels): an APP1 segment of EXIF, a comment, and the start of the scan. */
export function jpegHeader(exif: Uint8Array, comment: string): Uint8Array {
  const segment = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255]), data]);
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from(exif)])),
    segment(0xfe, Buffer.from(comment)), Buffer.from([0xff, 0xda, 0, 2])]));
}
