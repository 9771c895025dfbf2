import type { FindingType } from './types.ts';

/**
 * A masked rendering of a value for reports ("138****8000", "张*"): enough to locate it, not enough to
 * leak it. Secrets show only their first four characters.
 */
export function maskValue(type: FindingType, value: string): string {
  const v = value.replace(/\s+/g, ' ');
  if (type === 'classified_marking') return v;
  if (type === 'source_code') return `${v.slice(0, 12).replace(/\n/g, ' ')}… (${value.length} chars)`;
  if (type === 'secret') return `${v.slice(0, 4)}${'*'.repeat(Math.min(8, Math.max(4, v.length - 4)))}`;
  const chars = Array.from(v);
  const n = chars.length;
  if (type === 'person_name') return chars[0] + '*'.repeat(n - 1);
  if (type === 'email') {
    const at = v.indexOf('@');
    return at > 0 ? `${v[0]}***${v.slice(at)}` : '***';
  }
  if (type === 'address') return chars.slice(0, Math.min(6, Math.floor(n / 2))).join('') + '*'.repeat(Math.max(3, n - 6));
  if (n >= 11) return chars.slice(0, 3).join('') + '*'.repeat(n - 7) + chars.slice(n - 4).join('');
  if (n >= 5) return chars.slice(0, 2).join('') + '*'.repeat(n - 4) + chars.slice(n - 2).join('');
  return chars[0] + '*'.repeat(Math.max(1, n - 1));
}
