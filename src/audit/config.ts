import { dirname, join } from 'node:path';
import { parseStorageUrl } from '../store/index.ts';
import type { YumenConfig } from '../config/index.ts';
import { isMapping } from '../util/mapping.ts';

/**
 * The `audit:` section of yumen.yaml.
 *
 * @example
 * audit:
 *   retention_days: 180                       # 网络安全法 Art. 21: at least six months
 *   anchor: { file: ./data/audit-anchors.jsonl, syslog: "udp://127.0.0.1:514", interval_s: 3600, every_records: 1000, key_file: ./data/audit-anchor-sm2.pem }
 *   conversations: { enabled: true, tenants: [财政局] }
 */
export interface AuditSettings {
  retentionDays: number;
  /** JSON lines `{time, seq, hash}`; null disables the file anchor. */
  anchorFile: string | null;
  /** `udp://host:port` of a syslog receiver; null disables it. */
  anchorSyslog: { host: string; port: number } | null;
  anchorIntervalMs: number;
  /** Anchor also after this many new records (0 = only on the timer). */
  anchorEveryRecords: number;
  /** The installation's SM2 key that signs anchors (made on first use); null = unsigned anchors. */
  anchorKeyFile: string | null;
  conversations: { enabled: boolean; tenants: string[] | null; retentionDays: number };
}

export const AUDIT_DEFAULTS = { retention_days: 180, anchor_interval_s: 3600, anchor_every_records: 1000 } as const;

/**
 * Where anchors go by default: beside the SQLite file (so two installations, or a database made anew, never
 * share one by accident), else in data_dir.
 */
function defaultAnchorDir(config: Pick<YumenConfig, 'data_dir'> & { storage?: { url: string } }): string {
  try {
    const { dialect, target } = parseStorageUrl(config.storage?.url ?? '');
    if (dialect === 'sqlite' && target !== ':memory:') return dirname(target);
  } catch { /* not a storage URL: fall back */ }
  return config.data_dir ?? './data';
}

export function auditSettings(config: Pick<YumenConfig, 'audit' | 'data_dir'> & { storage?: { url: string } }): AuditSettings {
  const a = (config.audit ?? {}) as Record<string, any>;
  const anchor = (a.anchor ?? {}) as Record<string, any>;
  const conv = (a.conversations ?? {}) as Record<string, any>;
  const retentionDays = a.retention_days ?? AUDIT_DEFAULTS.retention_days;
  const anchorFile: string | null = anchor.file === false || anchor.file === null ? null : (anchor.file ?? join(defaultAnchorDir(config), 'audit-anchors.jsonl'));
  const anchorsOn = anchorFile !== null || typeof anchor.syslog === 'string';
  return {
    retentionDays,
    anchorFile,
    anchorEveryRecords: anchor.every_records ?? AUDIT_DEFAULTS.anchor_every_records,
    anchorKeyFile: anchor.key_file === false || anchor.key_file === null || !anchorsOn ? null
      : (anchor.key_file ?? join(anchorFile ? dirname(anchorFile) : defaultAnchorDir(config), 'audit-anchor-sm2.pem')),
    anchorSyslog: typeof anchor.syslog === 'string' ? parseSyslogUrl(anchor.syslog) : null,
    anchorIntervalMs: (anchor.interval_s ?? AUDIT_DEFAULTS.anchor_interval_s) * 1000,
    conversations: {
      enabled: conv.enabled === true,
      tenants: Array.isArray(conv.tenants) ? (conv.tenants as string[]) : null,
      retentionDays: conv.retention_days ?? retentionDays,
    },
  };
}

function parseSyslogUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 514 };
}

/** ConfigValidator for `audit:`; problems as "audit.key: what was expected". */
export function validateAuditConfig(config: YumenConfig): string[] {
  const p: string[] = [];
  const a = config.audit as Record<string, unknown> | undefined;
  if (a === undefined) return p;
  const known = new Set(['retention_days', 'anchor', 'conversations']);
  for (const k of Object.keys(a)) if (!known.has(k)) p.push(`audit.${k}: unknown key (known: ${[...known].join(', ')})`);
  if (a.retention_days !== undefined && !(Number.isInteger(a.retention_days) && (a.retention_days as number) >= 1)) {
    p.push('audit.retention_days: expected an integer ≥ 1 (days; 网络安全法 Art. 21 asks for at least 180)');
  }
  if (a.anchor !== undefined) {
    const an = a.anchor;
    if (!isMapping(an)) p.push('audit.anchor: expected a mapping');
    else {
      for (const k of Object.keys(an)) if (!['file', 'syslog', 'interval_s', 'every_records', 'key_file'].includes(k)) p.push(`audit.anchor.${k}: unknown key (known: file, syslog, interval_s, every_records, key_file)`);
      if (an.every_records !== undefined && !(Number.isInteger(an.every_records) && (an.every_records as number) >= 0)) p.push('audit.anchor.every_records: expected an integer ≥ 0 (0 = only on the timer)');
      if (an.key_file !== undefined && an.key_file !== false && an.key_file !== null && (typeof an.key_file !== 'string' || an.key_file === '')) p.push('audit.anchor.key_file: expected a file path, or false for unsigned anchors');
      if (an.file !== undefined && an.file !== false && an.file !== null && (typeof an.file !== 'string' || an.file === '')) p.push('audit.anchor.file: expected a file path, or false to disable');
      if (an.syslog !== undefined) {
        let ok = typeof an.syslog === 'string' && an.syslog.startsWith('udp://');
        if (ok) try { parseSyslogUrl(an.syslog as string); } catch { ok = false; }
        if (!ok) p.push('audit.anchor.syslog: expected udp://host:port');
      }
      if (an.interval_s !== undefined && !(typeof an.interval_s === 'number' && an.interval_s >= 1)) p.push('audit.anchor.interval_s: expected a number of seconds ≥ 1');
    }
  }
  if (a.conversations !== undefined) {
    const c = a.conversations;
    if (!isMapping(c)) p.push('audit.conversations: expected a mapping');
    else {
      for (const k of Object.keys(c)) if (!['enabled', 'tenants', 'retention_days'].includes(k)) p.push(`audit.conversations.${k}: unknown key (known: enabled, tenants, retention_days)`);
      if (c.enabled !== undefined && typeof c.enabled !== 'boolean') p.push('audit.conversations.enabled: expected true or false');
      if (c.tenants !== undefined && !(Array.isArray(c.tenants) && c.tenants.every((t) => typeof t === 'string' && t !== ''))) p.push('audit.conversations.tenants: expected a list of department names');
      if (c.retention_days !== undefined && !(Number.isInteger(c.retention_days) && (c.retention_days as number) >= 1)) p.push('audit.conversations.retention_days: expected an integer ≥ 1');
    }
  }
  return p;
}
