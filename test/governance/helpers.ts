import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, type YumenConfig } from '../../src/config/index.ts';
import { hashPassword } from '../../src/governance/index.ts';
import { startYumen, type RunningYumen } from '../../src/server/bootstrap.ts';
import { createDepartmentRepository, createUserRepository, type RoleAssignment } from '../../src/store/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** Cheap scrypt for tests; the stored hash carries its cost, so verification is unchanged. */
export const TEST_SCRYPT_N = 1024;
export const PASSWORD = 'Correct-Horse-9';

export interface Fixture {
  yumen: RunningYumen;
  url: string;
  /** The installation's data_dir (master key, anchors for PostgreSQL). */
  dataDir: string;
  dept: { A: string; A1: string; B: string };
  users: Record<'sysadmin' | 'secadmin' | 'auditor' | 'deptAdminA' | 'memberA' | 'deptAdminB' | 'memberB', string>;
  close(): Promise<void>;
}

export async function makeUser(yumen: RunningYumen, username: string, roles: RoleAssignment[]): Promise<string> {
  const u = await createUserRepository(yumen.store.db).create({ username, passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT_N), roles });
  return u.id;
}

/** A running Yumen on a fresh database with departments A (with sub-department A1) and B and one account per role. */
export async function startFixture(dialect: 'sqlite' | 'postgres', governance: Record<string, unknown> = {}, server: Partial<YumenConfig['server']> = {}, extra: Partial<YumenConfig> = {}): Promise<Fixture> {
  const tdb: TestDatabase = await createTestDatabase(dialect);
  const dataDir = mkdtempSync(join(tmpdir(), 'yumen-gov-'));
  const config: YumenConfig = {
    ...DEFAULTS, server: { ...DEFAULTS.server, ...server }, log: { level: 'silent' }, storage: { url: tdb.url }, models: [], data_dir: dataDir,
    governance: { password: { scrypt_n: TEST_SCRYPT_N }, ...governance }, ...extra,
  };
  const yumen = await startYumen(config, { port: 0, host: '127.0.0.1' });
  const depts = createDepartmentRepository(yumen.store.db);
  const A = (await depts.create({ name: '财政局' })).id;
  const A1 = (await depts.create({ name: '财政局-预算处', parentId: A })).id;
  const B = (await depts.create({ name: '公安局' })).id;
  const users = {
    sysadmin: await makeUser(yumen, 'sys', [{ role: 'sysadmin', tenantId: null }]),
    secadmin: await makeUser(yumen, 'sec', [{ role: 'secadmin', tenantId: null }]),
    auditor: await makeUser(yumen, 'aud', [{ role: 'auditor', tenantId: null }]),
    deptAdminA: await makeUser(yumen, 'admin-a', [{ role: 'dept_admin', tenantId: A }]),
    memberA: await makeUser(yumen, 'member-a', [{ role: 'member', tenantId: A }]),
    deptAdminB: await makeUser(yumen, 'admin-b', [{ role: 'dept_admin', tenantId: B }]),
    memberB: await makeUser(yumen, 'member-b', [{ role: 'member', tenantId: B }]),
  };
  return {
    yumen, url: yumen.url, dataDir, dept: { A, A1, B }, users,
    async close() {
      await yumen.close();
      await tdb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Res { status: number; body: any; headers: Headers }

/** A tiny client that keeps one session cookie. */
export class Client {
  cookie: string | undefined;
  constructor(readonly base: string) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async login(username: string, password = PASSWORD): Promise<Res> {
    const res = await this.req('POST', '/api/auth/login', { username, password });
    const set = res.headers.get('set-cookie');
    if (res.status === 200 && set) this.cookie = set.split(';')[0];
    return res;
  }
}

export async function loginAs(base: string, username: string): Promise<Client> {
  const c = new Client(base);
  const res = await c.login(username);
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return c;
}
