import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelConfig, YumenConfig } from '../../src/config/index.ts';
import { DEFAULTS } from '../../src/config/index.ts';
import { startYumen, type RunningYumen } from '../../src/server/bootstrap.ts';
import { createApiKeyRepository, createTenantRepository } from '../../src/store/index.ts';

export interface TestYumen extends RunningYumen {
  /** Creates (or reuses) the tenant and returns a fresh API key for it. */
  key(tenant?: string, opts?: { allowedModels?: string[] }): Promise<string>;
  /** Base URL for OpenAI SDKs: `${url}/v1`. */
  baseURL: string;
  stop(): Promise<void>;
}

/** A real Yumen server on 127.0.0.1 with a throw-away SQLite database (or the given storage URL). */
export async function startTestYumen(opts: { models: ModelConfig[]; policy?: Record<string, unknown>; storageUrl?: string; server?: Partial<YumenConfig['server']>; extra?: Partial<YumenConfig> }): Promise<TestYumen> {
  const dir = mkdtempSync(join(tmpdir(), 'yumen-it-'));
  const config: YumenConfig = {
    server: { ...DEFAULTS.server, port: 0, ...opts.server },
    storage: { url: opts.storageUrl ?? `sqlite:${join(dir, 'yumen.db')}` },
    log: { level: 'silent' },
    models: opts.models,
    policy: opts.policy,
    data_dir: dir,
    ...opts.extra,
  };
  const running = await startYumen(config, { port: 0, logger: false });
  return {
    ...running,
    baseURL: `${running.url}/v1`,
    async key(tenant = 'test-dept', keyOpts = {}) {
      const t = await createTenantRepository(running.store.db).ensure(tenant);
      const { secret } = await createApiKeyRepository(running.store.db).create({ tenantId: t.id, allowedModels: keyOpts.allowedModels ?? null });
      return secret;
    },
    async stop() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
