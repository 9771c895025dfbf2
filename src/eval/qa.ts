/** Scoring of free answers against reference answers (any of several may be right). */
export type QaMetric = 'exact' | 'contains' | 'regex' | 'similarity' | 'judge';
export const QA_METRICS: readonly QaMetric[] = ['exact', 'contains', 'regex', 'similarity', 'judge'];

/** Width-folded, lower-cased, without spaces, punctuation or symbols: "北京。" and "北京" are the same answer. */
export function normalizeAnswer(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

function bigrams(text: string): Map<string, number> {
  const chars = [...text];
  const grams = new Map<string, number>();
  const add = (g: string) => grams.set(g, (grams.get(g) ?? 0) + 1);
  if (chars.length === 1) add(chars[0]);
  for (let i = 0; i + 1 < chars.length; i++) add(chars[i] + chars[i + 1]);
  return grams;
}

/** Character-bigram F1 of normalized texts (Chinese has no spaces to split words on). 1 for equal texts. */
export function bigramF1(answer: string, reference: string): number {
  const a = bigrams(normalizeAnswer(answer));
  const r = bigrams(normalizeAnswer(reference));
  let total = 0;
  let ra = 0;
  for (const n of a.values()) total += n;
  for (const n of r.values()) ra += n;
  if (total === 0 || ra === 0) return total === ra ? 1 : 0;
  let overlap = 0;
  for (const [g, n] of a) overlap += Math.min(n, r.get(g) ?? 0);
  if (overlap === 0) return 0;
  const precision = overlap / total;
  const recall = overlap / ra;
  return (2 * precision * recall) / (precision + recall);
}

/** The score of one answer under a metric other than `judge` (which needs a model). */
export function scoreAnswer(metric: Exclude<QaMetric, 'judge'>, answer: string, references: readonly string[]): number {
  const scores = references.map((ref) => {
    switch (metric) {
      case 'exact': return normalizeAnswer(answer) === normalizeAnswer(ref) ? 1 : 0;
      case 'contains': return normalizeAnswer(answer).includes(normalizeAnswer(ref)) ? 1 : 0;
      case 'regex': return new RegExp(ref, 'u').test(answer) ? 1 : 0;
      case 'similarity': return bigramF1(answer, ref);
    }
  });
  return Math.max(0, ...scores);
}

const DEFAULT_RUBRIC = '回答是否与参考答案的意思一致、事实正确、完整地回答了问题。';

/** What the judge model is asked: a 0–10 score on the last line, so it can be read back. */
export function judgePrompt(question: string, answer: string, references: readonly string[], rubric = DEFAULT_RUBRIC): string {
  return [
    '你是一名严格的评分员。请依据评分标准，对“待评回答”打分，0 分最差，10 分最好。',
    `评分标准：${rubric}`,
    `问题：${question}`,
    `参考答案：${references.join(' / ')}`,
    `待评回答：${answer}`,
    '只输出一行：分数：N（N 为 0 到 10 的整数）。',
  ].join('\n');
}

/** The judge's score scaled to 0–1; null when the judge's reply holds no readable score. */
export function parseJudgeScore(reply: string): number | null {
  const text = reply.normalize('NFKC');
  const m = /(?:分数|得分|评分|score)\s*[:：为是]?\s*(\d+(?:\.\d+)?)/i.exec(text) ?? /(\d+(?:\.\d+)?)\s*(?:\/\s*10|分)/.exec(text) ?? /^\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 0 && n <= 10 ? n / 10 : null;
}
