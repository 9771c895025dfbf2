import type { FastifyRequest } from 'fastify';
import type { KeyAuthenticator, Principal } from '../../governance/index.ts';
import { yumenError } from '../../util/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Reads `Authorization: Bearer <key>` and resolves the Principal; used as a preHandler on /v1 routes. */
export function bearerAuth(authenticator: KeyAuthenticator) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw yumenError('missing_api_key', 'You didn\'t provide an API key. Send it as "Authorization: Bearer YOUR_KEY". / 请在 Authorization 头中提供 API 密钥。');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw yumenError('invalid_api_key', 'The Authorization header must be "Bearer YOUR_KEY". / Authorization 头格式应为 "Bearer 密钥"。');
    request.principal = await authenticator.authenticate(match[1], { ip: request.ip });
  };
}
