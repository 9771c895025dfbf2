import { strToU8, zipSync } from 'fflate';

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
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let i = 1; i < objects.length; i++) {
    offsets[i] = out.length;
    out += `${i} 0 obj\n${objects[i]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return strToU8(out);
}

/** "你好，中文世界。" in GBK, written byte by byte (Node has no GBK encoder). */
export const GBK_HELLO = new Uint8Array([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xd6, 0xd0, 0xce, 0xc4, 0xca, 0xc0, 0xbd, 0xe7, 0xa1, 0xa3]);
