import { BlockList, isIP } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is checked as `10.0.0.1`. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

/** Why an allow-list entry is not an address or CIDR, or null when it is fine. */
export function ipEntryProblem(entry: string): string | null {
  const [addr, bits, extra] = entry.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return `"${entry}" is not an IP address or CIDR block`;
  if (bits === undefined) return null;
  const n = Number(bits);
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && n <= max ? null : `"${entry}": prefix length must be 0–${max}`;
}

/** Compiles addresses and CIDR blocks (IPv4 and IPv6) once; returns a matcher. Throws on a bad entry. */
export function compileIpAllowList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const problem = ipEntryProblem(entry);
    if (problem) throw new Error(problem);
    const [addr, bits] = entry.split('/');
    const type = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip: string) => {
    const a = normalizeIp(ip);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}
