/**
 * Recognises a refusal in a model's answer, Chinese and English. Looks at the opening of the answer,
 * where models refuse; a long answer that only mentions "抱歉" in passing is not a refusal.
 */
const PATTERNS: readonly RegExp[] = [
  /(抱歉|对不起|很遗憾|不好意思)[^。！!？?\n]{0,12}(不能|无法|不可以|没办法|不便|不会|爱莫能助)/,
  /我(不能|无法|不可以|不会|不便|拒绝|没有办法)(为你|为您|向你|向您|帮你|帮您)?(提供|回答|协助|帮助|满足|参与|支持|透露|给出|生成|告诉|讨论|解答|完成|回应|编写|撰写)/,
  /(无法|不能|不会|拒绝)(提供|回答|协助|满足|回应|处理)(你|您)?(的)?(这个|这类|该|此|上述|这种)?(请求|问题|要求|内容|信息)/,
  /作为(一个|一名)?(人工智能|AI|ai|语言模型|AI助手|智能助手|负责任的)[^。\n]{0,30}(不能|无法|不会|不应|拒绝)/,
  /(涉及|属于|是)(违法|非法|犯罪|违规)[^。\n]{0,20}(不能|无法|不会|不予|拒绝|请勿|不应)/,
  /(请|建议)(您|你)?(遵守|遵循)(法律|法规|相关法律)/,
  /\b(I'?m sorry|I am sorry|I apologi[sz]e|Sorry, (but )?I)\b/i,
  /\bI (can ?not|can'?t|won'?t|will not|am not able to|am unable to|must decline to|refuse to)\b/i,
  /\bAs an AI\b/i,
];

/** How much of the answer's opening is read. */
const OPENING = 240;

export function isRefusal(answer: string): boolean {
  const opening = answer.normalize('NFKC').trim().slice(0, OPENING);
  if (!opening) return false;
  return PATTERNS.some((p) => p.test(opening));
}
