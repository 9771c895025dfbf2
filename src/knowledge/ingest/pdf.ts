import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import type { Block, ParsedDocument } from '../types.ts';
import { paragraphs } from './text.ts';

/**
 * PDF text layer, page by page (unpdf: a serverless build of pdf.js, pure JS). A PDF whose pages carry
 * no text (a scan) comes back with status `no_text_layer`; OCR, when available, is tried by the caller.
 */
export async function parsePdf(bytes: Uint8Array): Promise<ParsedDocument> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 } as never);
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    const blocks: Block[] = [];
    text.forEach((pageText, i) => {
      // pdf.js puts line breaks between text lines; join lines that end mid-sentence in Chinese.
      const cleaned = pageText.replace(/([\u4e00-\u9fff，、])\n(?=[\u4e00-\u9fff])/g, '$1');
      blocks.push(...paragraphs(cleaned, i + 1));
    });
    const metadata: Record<string, string> = {};
    try {
      const meta = await getMeta(pdf);
      const info = meta.info as Record<string, unknown>;
      if (typeof info?.Title === 'string' && info.Title.trim()) metadata.title = info.Title.trim();
      if (typeof info?.Author === 'string' && info.Author.trim()) metadata.author = info.Author.trim();
    } catch { /* metadata is optional */ }
    const chars = blocks.reduce((n, b) => n + b.text.replace(/\s/g, '').length, 0);
    if (chars === 0) return { format: 'pdf', blocks: [], status: 'no_text_layer', pages: totalPages, metadata, note: 'the PDF has no text layer (a scan?) / PDF 无文本层（可能是扫描件）' };
    return { format: 'pdf', blocks, status: 'ready', pages: totalPages, metadata };
  } finally {
    await pdf.destroy();
  }
}
