import type { FastifyInstance, FastifyRequest } from 'fastify';
import { yumenError } from '../../util/errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True when the request's Origin (or, without one, its Sec-Fetch-Site) says it came from another site. */
export function isCrossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return true;
    try {
      return new URL(origin).host.toLowerCase() !== request.host.toLowerCase();
    } catch {
      return true;
    }
  }
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

/**
 * Cross-site request forgery guard of the cookie-authenticated admin API: a state-changing request is refused
 * when it comes from another origin (403 `csrf_rejected`), or when it carries any content type but JSON —
 * even with an empty body (415 `unsupported_media_type`), since text/plain and form posts are what a foreign
 * page can send without a CORS preflight. Browsers always send Origin on such requests; clients that are not
 * browsers send none and are not affected.
 */
export function registerCsrfGuard(app: FastifyInstance): void {
  // The console marks every state-changing request as JSON, also those without a body (revoke, logout).
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else json(request, body as string, done);
  });
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (isCrossSite(request)) {
      throw yumenError('csrf_rejected', 'Cross-site request refused: the Origin is not this server. / 拒绝跨站请求。');
    }
    const type = request.headers['content-type'];
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      throw yumenError('unsupported_media_type', `The admin API accepts only application/json, got "${type.slice(0, 100)}". / 管理接口只接受 application/json。`);
    }
  });
}
