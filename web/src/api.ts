/** Same-origin JSON calls to the admin API: session cookie, JSON content type (the CSRF rule), errors as ApiError. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string, readonly param: string | null) {
    super(message);
  }
}

export async function api<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' }), ...extraHeaders },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: any = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

export function toApiError(status: number, data: any): ApiError {
  const e = data?.error;
  return new ApiError(e?.message ?? `HTTP ${status}`, status, e?.code ?? 'http_error', e?.param ?? null);
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);

export interface RoleAssignment { role: string; department_id: string | null }
export interface Me { id: string; username: string; display_name: string | null; roles: RoleAssignment[] }
export interface Department { id: string; name: string; display_name: string | null; parent_id: string | null }
