import type { Guard } from '../guard/index.ts';
import type { Principal } from '../governance/index.ts';
import type { FeedbackRepository, StoredConversation, StoredFeedback } from '../store/index.ts';
import { yumenError } from '../util/errors.ts';
import { redactFeedbackText } from './redact.ts';

export interface FeedbackInput {
  request_id: string;
  rating: 1 | -1;
  correction?: string | null;
  comment?: string | null;
}

export interface FeedbackServiceDeps {
  repo: FeedbackRepository;
  /** Captured exchanges: looked up by request id, and flushed when one is not found yet (captures are batched). */
  conversations: { findById(id: string): Promise<StoredConversation | undefined>; flush(): Promise<void> };
  guardFor(principal: Principal): Promise<Guard>;
}

/**
 * Feedback on a captured exchange (POST /v1/feedback): a rating, optionally a corrected answer and a comment.
 * Only the department that made the call may rate it; any other id answers 404 as an unknown one does.
 * Correction and comment are stored redacted, as the exchange is.
 */
export function createFeedbackService(deps: FeedbackServiceDeps) {
  async function exchange(principal: Principal, requestId: string): Promise<StoredConversation> {
    let c = await deps.conversations.findById(requestId);
    if (!c) {
      await deps.conversations.flush();
      c = await deps.conversations.findById(requestId);
    }
    if (!c || c.tenantId !== principal.tenantId) {
      throw yumenError('not_found', 'request_id: no captured exchange with this id in your department (conversations are kept only where audit.conversations is enabled). / 本部门没有该请求的对话记录。', { param: 'request_id' });
    }
    return c;
  }

  return {
    async give(principal: Principal, input: FeedbackInput): Promise<StoredFeedback> {
      const c = await exchange(principal, input.request_id);
      const guard = await deps.guardFor(principal);
      const context = JSON.stringify([c.messages, c.completion]);
      const clean = (t: string | null | undefined) => (t === undefined || t === null || t.trim() === '' ? null : redactFeedbackText(guard, t, context));
      return deps.repo.upsert({
        requestId: c.id, tenantId: c.tenantId, keyId: principal.keyId, rating: input.rating,
        correction: clean(input.correction), comment: clean(input.comment),
      });
    },
  };
}
export type FeedbackService = ReturnType<typeof createFeedbackService>;
