import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ModelConfig } from '../../src/config/index.ts';
import { hashPassword } from '../../src/governance/index.ts';
import { createDepartmentRepository, createUserRepository, type RoleAssignment } from '../../src/store/index.ts';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';
import { launch } from './browser.ts';

export const PASSWORD = 'Correct-Horse-9';
const SCRYPT_N = 1024;

export interface ConsoleFixture {
  yumen: TestYumen;
  /** The external-zone test upstream (a real HTTP server) and a private one. */
  external: MockUpstream;
  internal: MockUpstream;
  url: string;
  addUser(username: string, roles: RoleAssignment[]): Promise<string>;
  addDepartment(name: string, parentId?: string): Promise<string>;
  /** Departments 财政局 (A) and 公安局 (B), and the accounts sysadmin, secadmin, auditor, admin-a, member-a, member-b. */
  seed(): Promise<{ A: string; B: string }>;
  close(): Promise<void>;
}

/**
 * A Yumen with no account yet (first run), an external model `cloud-chat` and a private model `local-chat`.
 * `local` adds settings to `local-chat`; `extra` adds configuration sections (e.g. `limits`).
 */
export async function startConsoleFixture(opts: { local?: Partial<ModelConfig>; extra?: Record<string, unknown> } = {}): Promise<ConsoleFixture> {
  const external = await startMockUpstream();
  const internal = await startMockUpstream();
  const models: ModelConfig[] = [
    { name: 'cloud-chat', provider: 'openai-compatible', base_url: external.baseUrl, model: 'cloud', zone: 'external' } as ModelConfig,
    { name: 'local-chat', provider: 'openai-compatible', base_url: internal.baseUrl, model: 'local', zone: 'private', ...opts.local } as ModelConfig,
  ];
  // The test upstreams listen on 127.0.0.1: models added through the console must be allowed there (SSRF guard off).
  const yumen = await startTestYumen({ models, extra: { ...opts.extra, governance: { password: { scrypt_n: SCRYPT_N }, models: { allow_local_addresses: true } } } as never });
  const db = yumen.store.db;
  const addUser = async (username: string, roles: RoleAssignment[]) =>
    (await createUserRepository(db).create({ username, passwordHash: await hashPassword(PASSWORD, SCRYPT_N), roles })).id;
  const addDepartment = async (name: string, parentId?: string) => (await createDepartmentRepository(db).create({ name, parentId })).id;
  return {
    yumen, external, internal, url: yumen.url, addUser, addDepartment,
    async seed() {
      const A = await addDepartment('财政局');
      const B = await addDepartment('公安局');
      for (const role of ['sysadmin', 'secadmin', 'auditor'] as const) await addUser(role, [{ role, tenantId: null }]);
      await addUser('admin-a', [{ role: 'dept_admin', tenantId: A }]);
      await addUser('member-a', [{ role: 'member', tenantId: A }]);
      await addUser('member-b', [{ role: 'member', tenantId: B }]);
      return { A, B };
    },
    async close() {
      await yumen.stop();
      await external.close();
      await internal.close();
    },
  };
}

/** Signs in over the API and returns the session cookie (`name=value`) for direct requests. */
export async function sessionCookie(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ username, password: PASSWORD }) });
  assert.equal(res.status, 200, `sign-in of ${username}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}

/** Registers hooks for a suite: a seeded fixture and one browser, both closed afterwards. Read the fields inside tests. */
export function useSeededConsole(): { fx: ConsoleFixture; browser: Browser; depts: { A: string; B: string } } {
  const suite = {} as { fx: ConsoleFixture; browser: Browser; depts: { A: string; B: string } };
  before(async () => {
    suite.fx = await startConsoleFixture();
    suite.depts = await suite.fx.seed();
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.fx?.close();
  });
  return suite;
}
