import type { ChatMessage } from '../providers/index.ts';
import type { Citation, Source } from './types.ts';

export type GroundingLang = 'zh' | 'en';

const INSTRUCTIONS: Record<GroundingLang, string> = {
  zh: '请仅依据下列编号资料回答用户的问题。引用资料时在句末用方括号标注编号，例如 [1] 或 [2][3]。如果资料中没有答案，请直接说明资料中未找到，不要编造。',
  en: 'Answer the user\'s question using only the numbered sources below. Cite sources with their numbers in square brackets at the end of the sentence, e.g. [1] or [2][3]. If the sources do not contain the answer, say so plainly; do not make anything up.',
};

/** The language of the grounding instructions: Chinese when the question has any CJK character. */
export function detectLang(text: string): GroundingLang {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}

/** The numbered sources block: `[n] 《document》 第 p 页` then the text. */
export function buildSourcesBlock(sources: readonly Source[], lang: GroundingLang): string {
  return sources.map((s) => {
    const where = lang === 'zh'
      ? `《${s.document}》${s.page !== null ? ` 第 ${s.page} 页` : ''}`
      : `"${s.document}"${s.page !== null ? `, page ${s.page}` : ''}`;
    return `[${s.n}] ${where}\n${s.text}`;
  }).join('\n\n');
}

export function groundingSystemPrompt(sources: readonly Source[], lang: GroundingLang): string {
  const header = lang === 'zh' ? '资料：' : 'Sources:';
  return `${INSTRUCTIONS[lang]}\n\n${header}\n${buildSourcesBlock(sources, lang)}`;
}

/**
 * Puts the sources in front of the conversation as one system message (after any existing system
 * messages, so the caller's own instructions stay first). Pure: returns a new array.
 */
export function groundMessages(messages: readonly ChatMessage[], sources: readonly Source[], lang?: GroundingLang): ChatMessage[] {
  if (!sources.length) return [...messages];
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const userText = typeof lastUser?.content === 'string' ? lastUser.content : (lastUser?.content ?? []).map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join(' ');
  const system: ChatMessage = { role: 'system', content: groundingSystemPrompt(sources, lang ?? detectLang(userText)) };
  let i = 0;
  while (i < messages.length && (messages[i].role === 'system' || messages[i].role === 'developer')) i++;
  return [...messages.slice(0, i), system, ...messages.slice(i)];
}

/**
 * The sources an answer cites, in order of first mention: `[1]`, `[1][3]`, `[1, 2]`, `[1,3]`, `【2】`.
 * Numbers that match no source are ignored.
 */
export function extractCitations(answerText: string, sources: readonly Source[]): Citation[] {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const seen = new Set<number>();
  const out: Citation[] = [];
  for (const m of answerText.matchAll(/[[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]/g)) {
    for (const part of m[1].split(/[,，、]/)) {
      const n = Number(part.trim());
      const s = byN.get(n);
      if (!s || seen.has(n)) continue;
      seen.add(n);
      out.push({ n, document: s.document, page: s.page, chunk: s.chunk, kb: s.kb });
    }
  }
  return out;
}
