import type { Kysely } from 'kysely';
import type { YumenConfig } from '../config/index.ts';
import type { Database } from '../store/index.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { auditSettings } from './config.ts';

/** The audit log as yumen.yaml configures it (retention, anchor targets). */
export function auditLogFromConfig(db: Kysely<Database>, config: Pick<YumenConfig, 'audit' | 'data_dir'>): AuditLog {
  const s = auditSettings(config);
  return createAuditLog(db, { retentionDays: s.retentionDays, anchor: { file: s.anchorFile, syslog: s.anchorSyslog } });
}
