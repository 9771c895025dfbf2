import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../providers/index.ts';
import { canonicalJson } from '../../util/canonical-json.ts';

/**
 * SM3( tenant id ‖ "\n" ‖ canonical JSON of the request ), hex. The tenant is part of the key, so one
 * department's cached answers can never be served to another. `stream` and `stream_options` are left
 * out: only non-stream requests are cached.
 */
export function cacheKey(tenantId: string, request: ChatRequest): string {
  const { stream: _s, stream_options: _o, ...rest } = request;
  return createHash('sm3').update(tenantId).update('\n').update(canonicalJson(rest)).digest('hex');
}
