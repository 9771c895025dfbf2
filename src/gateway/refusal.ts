import type { Decision } from '../policy/index.ts';
import { yumenError, type YumenError } from '../util/errors.ts';

/** A refusal by policy. It names the finding types and counts that caused it, in Chinese and English — never a value. */
export function blocked(decision: Extract<Decision, { action: 'block' }>): YumenError {
  const summary = Object.entries(decision.reasons).map(([t, n]) => `${t}×${n}`).join(', ');
  if (decision.code === 'classified_content') {
    return yumenError('classified_content', `Refused: the request contains classified content (${summary}); it was not sent to any model. / 请求包含涉密内容（${summary}），已拒绝，未发送给任何模型（涉密不上网）。`, { detail: { findings: decision.reasons } });
  }
  return yumenError('policy_blocked', `Refused by policy: the request contains content that may not go to this model (${summary}). / 根据策略，请求中的内容（${summary}）不允许发送给该模型。`, { detail: { findings: decision.reasons } });
}
