import type { TopLogprob } from './mcq.ts';

export interface ChatCall {
  model: string;
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  max_tokens: number;
  temperature: number;
  logprobs?: boolean;
  top_logprobs?: number;
}

export type ChatAnswer =
  | { kind: 'answer'; text: string; top?: TopLogprob[]; requestId: string | null }
  /** Yumen itself refused before any model answered (classified content, a policy block, the output guard). */
  | { kind: 'refused'; code: string; requestId: string | null }
  | { kind: 'error'; status: number; code: string | null; message: string; retryable: boolean };

export interface EvalClient {
  chat(call: ChatCall, signal?: AbortSignal): Promise<ChatAnswer>;
}

/** Yumen's refusal codes: the gateway said no, which for a must-refuse item is a refusal like any other. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set(['classified_content', 'policy_blocked', 'content_refused']);

/**
 * A client of a Yumen gateway's /v1/chat/completions with one department's key, so every evaluation call
 * passes the guard, the policy, the limits and the audit like any other call of that department.
 */
export function gatewayClient(baseUrl: string, apiKey: string): EvalClient {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
  return {
    async chat(call, signal) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(call),
          signal,
        });
      } catch (err) {
        return { kind: 'error', status: 0, code: null, message: `cannot reach ${url}: ${(err as Error).message}`, retryable: true };
      }
      const requestId = res.headers.get('x-yumen-request-id');
      const body = (await res.json().catch(() => null)) as any;
      if (res.ok) {
        const choice = body?.choices?.[0];
        const text = typeof choice?.message?.content === 'string' ? choice.message.content : '';
        const top = choice?.logprobs?.content?.[0]?.top_logprobs;
        return { kind: 'answer', text, top: Array.isArray(top) ? top : undefined, requestId };
      }
      const code = typeof body?.error?.code === 'string' ? body.error.code : null;
      if (res.status === 403 && code && REFUSAL_CODES.has(code)) return { kind: 'refused', code, requestId };
      return {
        kind: 'error', status: res.status, code,
        message: typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${res.status}`,
        retryable: res.status === 429 || res.status >= 500,
      };
    },
  };
}
