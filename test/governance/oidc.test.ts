/**
 * OIDC sign-in (authorization code + PKCE) against a real OpenID provider running in the test on
 * 127.0.0.1: success gives a working session; a wrong state, an unknown or disabled person, and a
 * tampered ID token are refused. On SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createUserRepository } from '../../src/store/index.ts';
import { testDialects } from '../helpers/db.ts';
import { Client, loginAs, makeUser, startFixture, type Fixture } from './helpers.ts';
import { startTestProvider, type TestProvider } from './oidc-provider.ts';

/** The public name of Yumen the provider redirects to; the test plays the browser and sends it to the real address. */
const PUBLIC = 'https://yumen.example.gov';

interface SignIn { status: number; body: any; location: string | null; cookies: string[]; session: Client }

/** Plays the browser through login → provider → callback, optionally tampering with the way back. */
async function signIn(f: Fixture, tamper?: (back: URL, flowCookie: string) => { url: URL; cookie?: string }): Promise<SignIn> {
  const start = await fetch(`${f.url}/api/auth/oidc/login`, { redirect: 'manual' });
  assert.equal(start.status, 302, await start.text());
  const flowSet = start.headers.getSetCookie().find((c) => c.startsWith('yumen_oidc='))!;
  assert.match(flowSet, /HttpOnly/);
  assert.match(flowSet, /SameSite=Lax/, 'must survive the provider\'s cross-site redirect');
  assert.match(flowSet, /Path=\/api\/auth\/oidc/);
  const authorize = new URL(start.headers.get('location')!);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));

  const atIdp = await fetch(authorize, { redirect: 'manual' });
  assert.equal(atIdp.status, 302, await atIdp.text());
  let back = new URL(atIdp.headers.get('location')!);
  assert.equal(back.origin + back.pathname, `${PUBLIC}/api/auth/oidc/callback`);
  let cookie: string | undefined = flowSet.split(';')[0];
  if (tamper) ({ url: back, cookie } = tamper(back, cookie));
  const cb = await fetch(`${f.url}${back.pathname}${back.search}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const text = await cb.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* redirect */ }
  const cookies = cb.headers.getSetCookie();
  const session = new Client(f.url);
  const sess = cookies.find((c) => c.startsWith('yumen_session='));
  if (sess) session.cookie = sess.split(';')[0];
  return { status: cb.status, body, location: cb.headers.get('location'), cookies, session };
}

for (const dialect of await testDialects()) {
  describe(`OIDC sign-in on ${dialect}`, () => {
    let idp: TestProvider;
    let f: Fixture;
    let g: Fixture;
    before(async () => {
      idp = await startTestProvider();
      const oidc = { issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, redirect_uri: `${PUBLIC}/api/auth/oidc/callback` };
      f = await startFixture(dialect, { oidc });
      g = await startFixture(dialect, { oidc: { ...oidc, auto_create: true, link_existing: true, default_department: '公安局', default_role: 'member', post_login_redirect: '/console/' } });
    });
    after(async () => {
      await f?.close();
      await g?.close();
      await idp?.close();
    });

    it('signs a linked person in: the session works like a password login, and the sign-in is audited', async () => {
      const id = await createUserRepository(f.yumen.store.db).create({ username: 'li.ming', oidcSubject: `${idp.issuer}|li-0001`, roles: [{ role: 'member', tenantId: f.dept.A }] });
      idp.person = { sub: 'li-0001', preferred_username: 'someone-else', name: '李明' };
      const r = await signIn(f);
      assert.equal(r.status, 303, JSON.stringify(r.body));
      assert.equal(r.location, '/');
      assert.ok(r.cookies.some((c) => /^yumen_oidc=;.*Max-Age=0/.test(c)), 'the flow cookie is spent');
      const sess = r.cookies.find((c) => c.startsWith('yumen_session='))!;
      assert.match(sess, /HttpOnly/);
      assert.match(sess, /SameSite=Strict/);
      const me = await r.session.req('GET', '/api/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.username, 'li.ming', 'mapped by subject, not by the name claim');
      assert.deepEqual(me.body.user.roles, [{ role: 'member', department_id: f.dept.A }]);
      assert.equal((await r.session.req('GET', '/api/keys')).status, 200);
      assert.ok((await createUserRepository(f.yumen.store.db).findById(id.id))!.last_login_at! > 0);
      const audit = await f.yumen.store.db.selectFrom('audit_records').selectAll().where('action', '=', 'admin.auth.oidc_login').execute();
      assert.ok(audit.some((a) => a.actor === id.id && a.status === 303));
      assert.equal((await r.session.req('POST', '/api/auth/logout')).status, 200);
      assert.equal((await r.session.req('GET', '/api/auth/me')).status, 401);
    });

    it('refuses a wrong state (400) before spending the code, and a missing flow cookie', async () => {
      idp.person = { sub: 'li-0001' };
      const issued = idp.tokensIssued;
      const wrong = await signIn(f, (back, cookie) => { back.searchParams.set('state', 'forged-state-value'); return { url: back, cookie }; });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.code, 'invalid_request');
      assert.equal(wrong.body.error.param, 'state');
      const noCookie = await signIn(f, (back) => ({ url: back }));
      assert.equal(noCookie.status, 400);
      const forgedCookie = await signIn(f, (back, cookie) => ({ url: back, cookie: cookie.replace(/\.[^.]*$/, '.AAAA') }));
      assert.equal(forgedCookie.status, 400, 'the flow cookie is signed');
      assert.equal(idp.tokensIssued, issued, 'no code was exchanged');
      assert.ok([wrong, noCookie, forgedCookie].every((r) => !r.cookies.some((c) => c.startsWith('yumen_session='))));
    });

    it('refuses an unknown person without auto_create (403) and does not link by name unless allowed', async () => {
      await makeUser(f.yumen, 'wang', [{ role: 'member', tenantId: f.dept.A }]);
      idp.person = { sub: 'wang-9999', preferred_username: 'wang' };
      const r = await signIn(f);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'forbidden');
      assert.equal((await createUserRepository(f.yumen.store.db).findByUsername('wang'))!.oidc_subject, null);
      idp.person = { sub: 'stranger', preferred_username: 'stranger' };
      assert.equal((await signIn(f)).status, 403);
      assert.equal(await createUserRepository(f.yumen.store.db).findByUsername('stranger'), undefined);
    });

    it('refuses a disabled account (403), and a session ends when the account is disabled', async () => {
      const users = createUserRepository(f.yumen.store.db);
      const u = await users.create({ username: 'zhao', oidcSubject: `${idp.issuer}|zhao-1`, roles: [{ role: 'member', tenantId: f.dept.A }] });
      idp.person = { sub: 'zhao-1' };
      const ok = await signIn(f);
      assert.equal(ok.status, 303);
      const sys = await loginAs(f.url, 'sys');
      assert.equal((await sys.req('PATCH', `/api/users/${u.id}`, { disabled: true })).status, 200);
      assert.equal((await ok.session.req('GET', '/api/auth/me')).status, 401);
      const refused = await signIn(f);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /disabled/);
      const audit = await f.yumen.store.db.selectFrom('audit_records').selectAll().where('action', '=', 'admin.auth.oidc_login').where('status', '=', 403).execute();
      assert.ok(audit.some((a) => a.actor === u.id && a.error_code === 'forbidden'), 'refusals are audited with the account');
    });

    it('refuses an ID token the client cannot verify (wrong nonce, wrong audience)', async () => {
      idp.person = { sub: 'li-0001' };
      for (const tamper of [(c: Record<string, unknown>) => { c.nonce = 'not-the-nonce'; }, (c: Record<string, unknown>) => { c.aud = 'another-client'; }]) {
        idp.tamper = tamper;
        try {
          const r = await signIn(f);
          assert.equal(r.status, 401, JSON.stringify(r.body));
          assert.equal(r.body.error.code, 'invalid_credentials');
        } finally {
          idp.tamper = null;
        }
      }
    });

    it('with auto_create, creates a member of the default department; with link_existing, links by name', async () => {
      idp.person = { sub: 'new-42', preferred_username: 'chen.jing' };
      const created = await signIn(g);
      assert.equal(created.status, 303, JSON.stringify(created.body));
      assert.equal(created.location, '/console/');
      const me = (await created.session.req('GET', '/api/auth/me')).body.user;
      assert.equal(me.username, 'chen.jing');
      assert.deepEqual(me.roles, [{ role: 'member', department_id: g.dept.B }]);
      const row = (await createUserRepository(g.yumen.store.db).findByUsername('chen.jing'))!;
      assert.equal(row.password_hash, null, 'no password: signs in only through the provider');
      assert.equal(row.oidc_subject, `${idp.issuer}|new-42`);
      assert.equal((await signIn(g)).status, 303, 'the second time it is found by subject');

      await makeUser(g.yumen, 'sun', [{ role: 'dept_admin', tenantId: g.dept.A }]);
      idp.person = { sub: 'sun-7', preferred_username: 'sun' };
      const linked = await signIn(g);
      assert.equal(linked.status, 303);
      assert.equal((await linked.session.req('GET', '/api/auth/me')).body.user.roles[0].role, 'dept_admin', 'roles come from Yumen');
      assert.equal((await createUserRepository(g.yumen.store.db).findByUsername('sun'))!.oidc_subject, `${idp.issuer}|sun-7`);
      idp.person = { sub: 'sun-imposter', preferred_username: 'sun' };
      assert.equal((await signIn(g)).status, 409, 'an account already linked to another subject is not taken over');

      // Regression (issue 12, item 9): link_existing never links an identity to a sysadmin, secadmin or auditor.
      for (const name of ['sys', 'sec', 'aud']) {
        idp.person = { sub: `evil-${name}`, preferred_username: name };
        const r = await signIn(g);
        assert.notEqual(r.status, 303, `${name} must not be taken over through the identity provider`);
        assert.equal((await createUserRepository(g.yumen.store.db).findByUsername(name))!.oidc_subject, null);
      }

      idp.person = { sub: 'weird', preferred_username: 'has spaces/and slashes' };
      assert.equal((await signIn(g)).status, 403);
    });
  });
}
