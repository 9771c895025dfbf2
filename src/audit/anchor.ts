import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { dirname } from 'node:path';
import { hostname } from 'node:os';

export interface AnchorTargets {
  /** JSON-lines file; each line `{"time":…,"seq":…,"hash":"…","chain":"…","sig":"…"}`. */
  file?: string | null;
  /** Syslog receiver over UDP (RFC 5424, facility log-audit). */
  syslog?: { host: string; port: number } | null;
}

export interface AnchorEntry {
  time: number;
  seq: number;
  hash: string;
  /** The chain the anchor belongs to (the hash of its first record); absent on anchors written before 2026-12. */
  chain?: string | null;
  /** SM2 signature (r ‖ s, hex) over anchorMessage() with the installation's anchor key. */
  sig?: string | null;
}

/**
 * Puts the chain head somewhere the database's administrator cannot quietly rewrite: a file
 * (ideally on write-once or separately administered storage) and/or a syslog collector.
 * Rewriting the chain then no longer matches an anchor written earlier.
 */
export async function writeAnchor(targets: AnchorTargets, entry: AnchorEntry): Promise<void> {
  const line = JSON.stringify({ time: entry.time, seq: entry.seq, hash: entry.hash, ...(entry.chain ? { chain: entry.chain } : {}), ...(entry.sig ? { sig: entry.sig } : {}) });
  if (targets.file) {
    await mkdir(dirname(targets.file), { recursive: true });
    await appendFile(targets.file, `${line}\n`, { encoding: 'utf8', flush: true });
  }
  if (targets.syslog) {
    // PRI 110 = facility 13 (log audit) × 8 + severity 6 (informational).
    const msg = `<110>1 ${new Date(entry.time).toISOString()} ${hostname()} yumen - audit-anchor - ${line}`;
    const socket = createSocket(targets.syslog.host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => socket.send(msg, targets.syslog!.port, targets.syslog!.host, (err) => (err ? reject(err) : resolve())));
    } finally {
      socket.close();
    }
  }
}

/** Reads an anchor file; a missing file is no anchors. Lines that are not anchors are reported, not skipped. */
export async function readAnchorFile(file: string): Promise<AnchorEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: AnchorEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try { v = JSON.parse(line); } catch { v = null; }
    const e = v as AnchorEntry | null;
    if (!e || !Number.isInteger(e.seq) || typeof e.hash !== 'string') throw new Error(`${file}:${i + 1}: not an anchor line`);
    out.push({ time: Number(e.time), seq: e.seq, hash: e.hash, chain: typeof e.chain === 'string' ? e.chain : null, sig: typeof e.sig === 'string' ? e.sig : null });
  });
  return out;
}
