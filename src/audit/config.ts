import { join } from 'node:path';
import type { YumenConfig } from '../config/index.ts';
import { isMapping } from '../util/mapping.ts';

/**
 * The `audit:` section of yumen.yaml.
 *
 * @example
 * audit:
 *   retention_days: 180                       # 网络安全法 Art. 21: at least six months
 *   anchor: { file: ./data/audit-anchors.jsonl, syslog: "udp://127.0.0.1:514", interval_s: 3600 }
 *   conversations: { enabled: true, tenants: [财政局] }
 */
export interface AuditSettings {
  retentionDays: number;
  /** JSON lines `{time, seq, hash}`; null disables the file anchor. */
  anchorFile: string | null;
  /** `udp://host:port` of a syslog receiver; null disables it. */
  anchorSyslog: { host: string; port: number } | null;
  anchorIntervalMs: number;
  conversations: { enabled: boolean; tenants: string[] | null; retentionDays: number };
}

export const AUDIT_DEFAULTS = { retention_days: 180, anchor_interval_s: 3600 } as const;

export function auditSettings(config: Pick<YumenConfig, 'audit' | 'data_dir'>): AuditSettings {
  const a = (config.audit ?? {}) as Record<string, any>;
  const anchor = (a.anchor ?? {}) as Record<string, any>;
  const conv = (a.conversations ?? {}) as Record<string, any>;
  const retentionDays = a.retention_days ?? AUDIT_DEFAULTS.retention_days;
  return {
    retentionDays,
    anchorFile: anchor.file === false || anchor.file === null ? null : (anchor.file ?? join(config.data_dir ?? './data', 'audit-anchors.jsonl')),
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
      for (const k of Object.keys(an)) if (!['file', 'syslog', 'interval_s'].includes(k)) p.push(`audit.anchor.${k}: unknown key (known: file, syslog, interval_s)`);
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
