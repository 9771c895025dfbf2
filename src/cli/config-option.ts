import type { Command } from 'commander';
import { ConfigError, loadConfig, type YumenConfig } from '../config/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { buildPolicySet } from '../policy/index.ts';
import { validateModelConfigs } from '../providers/index.ts';
import { validateAuditConfig } from '../audit/index.ts';
import { validateLimitsConfig } from '../governance/limits/index.ts';
import { validateCacheConfig } from '../governance/cache/index.ts';
import { validateGovernanceConfig } from '../governance/index.ts';
import { validateKnowledgeConfig } from '../knowledge/index.ts';

/** The validators every command applies when it loads yumen.yaml. */
export function loadValidatedConfig(file?: string): YumenConfig {
  return loadConfig({
    file,
    validators: [
      (c) => validateModelConfigs(c.models),
      (c) => buildPolicySet(c.policy, c.models.filter((m) => typeof m?.name === 'string')).problems,
      validateAuditConfig,
      validateLimitsConfig,
      validateCacheConfig,
      validateGovernanceConfig,
      validateKnowledgeConfig,
    ],
  });
}

export function withConfigOption(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'configuration file (default: $YUMEN_CONFIG or ./yumen.yaml)');
}

/** Prints a failure the way every command does and sets the exit code; never a stack trace for user errors. */
export function fail(err: unknown, exitCode = 1): void {
  if (err instanceof ConfigError) {
    process.stderr.write(`yumen: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`yumen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = exitCode;
}

/**
 * The body of most commands: load and validate the configuration, open the store, run, close the store,
 * and report any failure the same way (message on stderr, exit code set; no stack trace for user errors).
 */
export async function runWithStore(configFile: string | undefined, body: (store: Store, config: YumenConfig) => Promise<void>, failExitCode = 1): Promise<void> {
  try {
    const config = loadValidatedConfig(configFile);
    const store = await openStore(config.storage.url);
    try {
      await body(store, config);
    } finally {
      await store.close();
    }
  } catch (err) {
    fail(err, failExitCode);
  }
}
