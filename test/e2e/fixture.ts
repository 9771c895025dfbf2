import type { ModelConfig } from '../../src/config/index.ts';
import { hashPassword } from '../../src/governance/index.ts';
import { createDepartmentRepository, createUserRepository, type RoleAssignment } from '../../src/store/index.ts';
import { startMockUpstream, type MockUpstream } from '../helpers/mock-upstream.ts';
import { startTestYumen, type TestYumen } from '../helpers/yumen.ts';

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

/** A Yumen with no account yet (first run), an external model `cloud-chat` and a private model `local-chat`. */
export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const external = await startMockUpstream();
  const internal = await startMockUpstream();
  const models: ModelConfig[] = [
    { name: 'cloud-chat', provider: 'openai-compatible', base_url: external.baseUrl, model: 'cloud', zone: 'external' } as ModelConfig,
    { name: 'local-chat', provider: 'openai-compatible', base_url: internal.baseUrl, model: 'local', zone: 'private' } as ModelConfig,
  ];
  const yumen = await startTestYumen({ models, extra: { governance: { password: { scrypt_n: SCRYPT_N } } } as never });
  const db = yumen.store.db;
  return {
    yumen, external, internal, url: yumen.url,
    async addUser(username, roles) {
      return (await createUserRepository(db).create({ username, passwordHash: await hashPassword(PASSWORD, SCRYPT_N), roles })).id;
    },
    async addDepartment(name, parentId) {
      return (await createDepartmentRepository(db).create({ name, parentId })).id;
    },
    async seed() {
      const A = await this.addDepartment('财政局');
      const B = await this.addDepartment('公安局');
      for (const role of ['sysadmin', 'secadmin', 'auditor'] as const) await this.addUser(role, [{ role, tenantId: null }]);
      await this.addUser('admin-a', [{ role: 'dept_admin', tenantId: A }]);
      await this.addUser('member-a', [{ role: 'member', tenantId: A }]);
      await this.addUser('member-b', [{ role: 'member', tenantId: B }]);
      return { A, B };
    },
    async close() {
      await yumen.stop();
      await external.close();
      await internal.close();
    },
  };
}
