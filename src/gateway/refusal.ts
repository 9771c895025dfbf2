import type { Decision } from '../policy/index.ts';
import { yumenError, type YumenError } from '../util/errors.ts';

/** A refusal by policy. It names the finding types and counts that caused it, in Chinese and English — never a value. */
export function blocked(decision: Extract<Decision, { action: 'block' }>): YumenError {
  const summary = Object.entries(decision.reasons).map(([t, n]) => `${t}×${n}`).join(', ');
  if (decision.code === 'classified_content') {
    return yumenError('classified_content', `Refused: the request contains classified content (${summary}); it was not sent to any model. / 请求包含涉密内容（${summary}），已拒绝，未发送给任何模型（涉密不上网）。`, { detail: { findings: decision.reasons } });
  }
  const where = decision.inAttachment === true
    ? [' Some of it is inside an attached file or image, where it cannot be replaced by a placeholder: send that content as text, or leave the attachment out.', '其中部分内容在附件或图片中，无法替换为占位符：请改以文字发送，或去掉该附件。']
    : ['', ''];
  return yumenError('policy_blocked', `Refused by policy: the request contains content that may not go to this model (${summary}).${where[0]} / 根据策略，请求中的内容（${summary}）不允许发送给该模型。${where[1]}`, { detail: { findings: decision.reasons } });
}
