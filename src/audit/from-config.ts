import type { Kysely } from 'kysely';
import type { YumenConfig } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { loadOrCreateAnchorSigner, type AnchorSigner } from './anchor-key.ts';
import { auditSettings } from './config.ts';

/** The audit log as yumen.yaml configures it (retention, anchor targets, anchor key, anchor every N records). */
export function auditLogFromConfig(db: Kysely<Database>, config: Pick<YumenConfig, 'audit' | 'data_dir'> & { storage?: { url: string } }): AuditLog {
  const s = auditSettings(config);
  let signer: AnchorSigner | null = null;
  if (s.anchorKeyFile) {
    const file = s.anchorKeyFile;
    let loaded: AnchorSigner | undefined;
    // Made or read on the first anchor, so commands that never anchor never touch the key.
    signer = { sign: (e) => (loaded ??= loadOrCreateAnchorSigner(file)).sign(e), get publicKeyPem() { return (loaded ??= loadOrCreateAnchorSigner(file)).publicKeyPem; } };
  }
  return createAuditLog(db, {
    retentionDays: s.retentionDays, anchor: { file: s.anchorFile, syslog: s.anchorSyslog }, anchorSigner: signer, anchorEveryRecords: s.anchorEveryRecords,
  });
}
