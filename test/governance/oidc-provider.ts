/**
 * A small but real OpenID Connect provider for tests, on 127.0.0.1: discovery document, JWKS with an
 * RS256 key, /authorize that signs the configured person in at once and redirects back with a code,
 * and /token that checks the client secret, redirect_uri and PKCE verifier and returns an ID token
 * signed with node:crypto. No internet.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Person { sub: string; preferred_username?: string; [claim: string]: unknown }

interface Grant { clientId: string; redirectUri: string; challenge: string; nonce: string; person: Person }

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in at the next /authorize. */
  person: Person;
  /** How many times /token issued tokens. */
  tokensIssued: number;
  /** Changes the next ID tokens' claims (e.g. a wrong nonce) to prove the client checks them. */
  tamper: ((claims: Record<string, unknown>) => void) | null;
  close(): Promise<void>;
}

const b64u = (v: Buffer | string) => Buffer.from(v).toString('base64url');

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64u(JSON.stringify(payload));
  return `${head}.${body}.${b64u(sign('sha256', Buffer.from(`${head}.${body}`), key))}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

export async function startTestProvider(clientId = 'yumen', clientSecret = 'idp-client-secret'): Promise<TestProvider> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const grants = new Map<string, Grant>();
  let server: Server;
  const provider: TestProvider = {
    issuer: '', clientId, clientSecret, person: { sub: 'nobody' }, tokensIssued: 0, tamper: null,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', provider.issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: provider.issuer, authorization_endpoint: `${provider.issuer}/authorize`, token_endpoint: `${provider.issuer}/token`,
        jwks_uri: `${provider.issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'], scopes_supported: ['openid', 'profile'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('scope')?.split(' ').includes('openid')) {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = b64u(randomBytes(24));
      grants.set(code, { clientId, redirectUri: q.get('redirect_uri')!, challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? '', person: provider.person });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (!grant) return json(res, 400, { error: 'invalid_grant' });
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return json(res, 401, { error: 'invalid_client' });
      if (form.get('redirect_uri') !== grant.redirectUri) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri' });
      if (b64u(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'pkce' });
      const t = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { ...grant.person, iss: provider.issuer, aud: clientId, iat: t, exp: t + 300, nonce: grant.nonce };
      provider.tamper?.(claims);
      const idToken = signJwt(claims, privateKey, kid);
      provider.tokensIssued++;
      return json(res, 200, { access_token: b64u(randomBytes(16)), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return provider;
}
