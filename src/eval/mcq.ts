/** Multiple-choice items in the CMMLU format (`,Question,A,B,C,D,Answer`) and the usual Chinese exam prompt. */
export const CHOICES = ['A', 'B', 'C', 'D'] as const;
export type Choice = (typeof CHOICES)[number];

export interface McqQuestion { question: string; options: Record<Choice, string>; answer: Choice | null }

function block(q: McqQuestion): string {
  return `题目：${q.question.trim()}\n${CHOICES.map((c) => `${c}. ${q.options[c].trim()}`).join('\n')}\n答案是：`;
}

/** The k-shot prompt: worked examples from the dev file, then the question with its answer left open. */
export function mcqPrompt(subject: string, shots: readonly McqQuestion[], question: McqQuestion): string {
  const head = `以下是关于${subject}的单项选择题，请直接给出正确答案的选项。\n\n`;
  const examples = shots.map((s) => `${block(s)}${s.answer}\n\n`).join('');
  return `${head}${examples}${block(question)}`;
}

const FULL_WIDTH: Record<string, Choice> = { 'Ａ': 'A', 'Ｂ': 'B', 'Ｃ': 'C', 'Ｄ': 'D', 'ａ': 'A', 'ｂ': 'B', 'ｃ': 'C', 'ｄ': 'D' };

/**
 * The letter a model chose, read robustly: "答案是B" / "答案：（C）" first, then an answer that opens with a
 * letter ("B. 土地", "（D）"), then the first A–D that stands alone (not inside an English word).
 * Full-width letters count. Null when the answer names no choice.
 */
export function parseChoice(answer: string): Choice | null {
  const text = answer.replace(/[ＡＢＣＤａｂｃｄ]/g, (c) => FULL_WIDTH[c]);
  const stated = /答案(?:应该|应|是|为|选)?\s*(?:是|为|选)?\s*[:：]?\s*[（(【\[]?\s*([A-D])(?![A-Za-z])/.exec(text);
  if (stated) return stated[1] as Choice;
  const opening = /^\s*(?:选项?\s*)?[（(【\[]?\s*([A-D])(?![A-Za-z])/.exec(text);
  if (opening) return opening[1] as Choice;
  const alone = /(?<![A-Za-z])([A-D])(?![A-Za-z])/.exec(text);
  return alone ? (alone[1] as Choice) : null;
}

export interface TopLogprob { token: string; logprob: number }

/**
 * The choice with the highest log-probability among the first generated token's alternatives, when the
 * backend returned them; null when none of A–D is among them.
 */
export function choiceFromLogprobs(top: readonly TopLogprob[] | undefined): Choice | null {
  if (!top?.length) return null;
  let best: { choice: Choice; logprob: number } | null = null;
  for (const t of top) {
    const letter = t.token.trim().replace(/[ＡＢＣＤ]/g, (c) => FULL_WIDTH[c]);
    if (!(CHOICES as readonly string[]).includes(letter)) continue;
    if (!best || t.logprob > best.logprob) best = { choice: letter as Choice, logprob: t.logprob };
  }
  return best?.choice ?? null;
}
