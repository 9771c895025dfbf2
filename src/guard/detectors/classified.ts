import type { RawFinding } from '../types.ts';

/**
 * 密级 marks (GB/T 9704 and BMB practice): "机密★5年", "绝密★长期", "秘密★启用前", "密级：机密",
 * "【机密】", "秘密级". Mentions such as 商业秘密, 机密性, 保守国家秘密法 carry no mark and are not matched.
 */
const MARK = [
  // Grade + star (+ period or 启用前).
  /(?<!商业|技术|国家|工作|经营|个人)(?:绝密|机密|秘密)\s*(?:[★☆]|\*(?!\*))\s*(?:\d{1,2}\s*(?:年|个月)|[一二三四五六七八九十]{1,3}\s*(?:年|个月)|长期|启用前)?/g,
  // 密级：grade (the label and grade together).
  /密\s*级\s*[:]?\s*[【\[(（〔]?\s*(?:绝密|机密|秘密)(?:\s*[★☆*]\s*(?:\d{1,2}\s*(?:年|个月)|长期|启用前))?\s*[】\])）〕]?/g,
  // Bracketed grade at the head of a document.
  /[【\[(（〔]\s*(?:绝密|机密|秘密)(?:\s*[★☆*]\s*(?:\d{1,2}\s*(?:年|个月)|长期))?\s*[】\])）〕]/g,
  // "机密级", "绝密级文件" — not 级别.
  /(?<!商业|技术|工作|经营)(?:绝密|机密|秘密)级(?!别)/g,
  // "机密 启用前" without a star.
  /(?:绝密|机密|秘密)\s*启用前/g,
];

const HINT = /[绝机秘]密|密\s*级/;

export function detectClassified(text: string, out: RawFinding[]): void {
  if (!HINT.test(text)) return;
  const found: Array<[number, number]> = [];
  for (const re of MARK) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const s = m.index;
      const e = s + m[0].replace(/\s+$/, '').length;
      // Merge with an overlapping mark found by another pattern.
      let merged = false;
      for (const f of found) {
        if (s < f[1] && e > f[0]) {
          f[0] = Math.min(f[0], s);
          f[1] = Math.max(f[1], e);
          merged = true;
          break;
        }
      }
      if (!merged) found.push([s, e]);
    }
  }
  for (const [start, end] of found) {
    out.push({ type: 'classified_marking', start, end, score: 0.97, detector: 'classified' });
  }
}
