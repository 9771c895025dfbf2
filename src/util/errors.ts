/**
 * The one error catalogue. Every error a client can see is made here from a stable code,
 * an HTTP status and an OpenAI error type; the server's error plugin turns it into
 * `{"error":{"message","type","code","param"}}`.
 */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'server_error'
  | 'timeout_error';

interface ErrorSpec { status: number; type: OpenAIErrorType; description: string }

export const ERROR_CODES = {
  invalid_json: { status: 400, type: 'invalid_request_error', description: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, type: 'invalid_request_error', description: 'A field of the request is missing or has the wrong type.' },
  body_too_large: { status: 413, type: 'invalid_request_error', description: 'The request body exceeds server.body_limit_bytes.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', description: 'The body must be application/json.' },
  missing_api_key: { status: 401, type: 'authentication_error', description: 'No Authorization: Bearer header was sent.' },
  invalid_api_key: { status: 401, type: 'authentication_error', description: 'The API key is unknown, revoked or expired.' },
  unauthenticated: { status: 401, type: 'authentication_error', description: 'The console/admin session is missing or expired.' },
  invalid_credentials: { status: 401, type: 'authentication_error', description: 'The user name or password is wrong.' },
  account_locked: { status: 429, type: 'rate_limit_error', description: 'Too many failed logins for this account; retry after the Retry-After header.' },
  forbidden: { status: 403, type: 'permission_error', description: 'The caller lacks the role or permission for this action.' },
  ip_not_allowed: { status: 403, type: 'permission_error', description: 'The caller address is not in the key\'s IP allow-list.' },
  model_not_allowed: { status: 403, type: 'permission_error', description: 'The key may not use this model.' },
  classified_content: { status: 403, type: 'permission_error', description: 'The request holds classified content (涉密不上网) and was refused before any model was called.' },
  policy_blocked: { status: 403, type: 'permission_error', description: 'The tenant policy refuses this content for this model.' },
  content_refused: { status: 403, type: 'permission_error', description: 'The output guard refused the reply under the content-safety policy.' },
  not_found: { status: 404, type: 'not_found_error', description: 'No such route or resource.' },
  model_not_found: { status: 404, type: 'not_found_error', description: 'No configured model, pool or app of that name.' },
  conflict: { status: 409, type: 'invalid_request_error', description: 'The resource already exists.' },
  separation_of_duties: { status: 403, type: 'permission_error', description: 'The sysadmin, secadmin and auditor roles and their accounts are managed only on the host (三员分立).' },
  csrf_rejected: { status: 403, type: 'permission_error', description: 'A state-changing admin request came from a foreign Origin or without the JSON content type.' },
  ssrf_blocked: { status: 400, type: 'invalid_request_error', description: 'A model added through the API points at a loopback, link-local or metadata address (SSRF protection).' },
  role_conflict: { status: 409, type: 'invalid_request_error', description: 'The account would hold two of sysadmin, secadmin and auditor (三员分立).' },
  rate_limited: { status: 429, type: 'rate_limit_error', description: 'A rate limit was reached; retry after the Retry-After header.' },
  quota_exceeded: { status: 429, type: 'rate_limit_error', description: 'A token quota for the period is used up.' },
  client_closed: { status: 499, type: 'invalid_request_error', description: 'The client went away (or cancelled) before the answer was complete; recorded, never sent.' },
  upstream_rate_limited: { status: 429, type: 'rate_limit_error', description: 'Every backend of the model answered 429; retry after the Retry-After header.' },
  upstream_rejected: { status: 400, type: 'invalid_request_error', description: 'The model backend rejected the request as invalid (e.g. a parameter it does not support); its message is passed on.' },
  upstream_error: { status: 502, type: 'api_error', description: 'The model backend failed, refused Yumen\'s credentials or answered something unusable.' },
  upstream_unavailable: { status: 502, type: 'api_error', description: 'No backend of the model could be reached.' },
  upstream_timeout: { status: 504, type: 'timeout_error', description: 'The model backend did not answer in time.' },
  shutting_down: { status: 503, type: 'server_error', description: 'The server is shutting down; retry against another instance.' },
  not_ready: { status: 503, type: 'server_error', description: 'The server is not ready yet.' },
  internal_error: { status: 500, type: 'server_error', description: 'An unexpected error inside Yumen.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class YumenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string> | undefined;
  /** Extra machine-readable detail returned beside the message (never sensitive values). */
  readonly detail: Record<string, unknown> | undefined;

  /** The status always follows from the code (one code, one status), so clients can rely on either. */
  constructor(code: ErrorCode, message: string, opts: { param?: string | null; headers?: Record<string, string>; detail?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const spec: ErrorSpec = ERROR_CODES[code];
    this.name = 'YumenError';
    this.code = code;
    this.status = spec.status;
    this.type = spec.type;
    this.param = opts.param ?? null;
    this.headers = opts.headers;
    this.detail = opts.detail;
  }
}

export function yumenError(code: ErrorCode, message: string, opts?: ConstructorParameters<typeof YumenError>[2]): YumenError {
  return new YumenError(code, message, opts);
}

/** The same error with extra response headers (those it already has win). */
export function withHeaders(err: YumenError, headers: Record<string, string>): YumenError {
  return new YumenError(err.code, err.message, { param: err.param, detail: err.detail, cause: err.cause, headers: { ...headers, ...err.headers } });
}

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; code: string; param: string | null } & Record<string, unknown>;
}

export function toErrorBody(err: YumenError): OpenAIErrorBody {
  return { error: { message: err.message, type: err.type, code: err.code, param: err.param, ...(err.detail ?? {}) } };
}
