import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { YumenError, toErrorBody, yumenError, type OpenAIErrorBody } from '../../util/errors.ts';

/** Fastify's own errors (body parsing, limits, schema validation) mapped onto the catalogue. */
function fromFastifyError(err: FastifyError & { validation?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }>; validationContext?: string }): YumenError {
  if (err.validation?.length) {
    const v = err.validation[0];
    const path = v.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replaceAll('/', '.');
    const missing = v.params?.missingProperty as string | undefined;
    const extra = v.params?.additionalProperty as string | undefined;
    const named = missing ?? extra;
    const param = named ? (path ? `${path}.${named}` : named) : path || null;
    const what = missing ? `'${param}' is required` : extra ? `'${param}' is not a known field` : `'${param ?? err.validationContext}' ${v.message ?? 'is invalid'}`;
    return yumenError('invalid_request', `Invalid request: ${what}.`, { param });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return yumenError('invalid_json', `We could not parse the JSON body of your request: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return yumenError('body_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return yumenError('unsupported_media_type', 'Unsupported Content-Type: send application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return yumenError('invalid_request', 'The Content-Length header does not match the body.');
  }
  // Any other client mistake Fastify reports keeps one code per status (docs/api.md lists them all).
  if (err.statusCode === 404) return yumenError('not_found', err.message);
  if (err.statusCode === 413) return yumenError('body_too_large', err.message);
  if (err.statusCode === 415) return yumenError('unsupported_media_type', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return yumenError('invalid_request', err.message);
  return yumenError('internal_error', 'Internal error. / 内部错误。', { cause: err });
}

export function toYumenError(err: unknown): YumenError {
  if (err instanceof YumenError) return err;
  if (err && typeof err === 'object' && 'code' in err) return fromFastifyError(err as FastifyError);
  return yumenError('internal_error', 'Internal error. / 内部错误。', { cause: err });
}

export function sendError(reply: FastifyReply, err: YumenError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type('application/json; charset=utf-8').send(toErrorBody(err));
}

/** One place turns every error into the OpenAI error shape; the fallback cannot throw. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toYumenError(err);
    if (mapped.status >= 500) request.log.error({ err, code: mapped.code }, 'request failed');
    else request.log.debug({ code: mapped.code }, mapped.message);
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, yumenError('not_found', `Unknown route ${request.method} ${request.url.split('?')[0]}.`));
  });
}

export type { OpenAIErrorBody };
