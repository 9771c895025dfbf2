import { isIP } from 'node:net';
import { yumenError } from '../util/errors.ts';

/** Hosts a model added through the API may not name: this host, link-local and cloud metadata addresses. */
export function isLocalOrMetadataHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === 'metadata.google.internal' || h === 'metadata') return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split('.').map(Number);
    return a === 127 || a === 0 || (a === 169 && b === 254) || h === '100.100.100.200';
  }
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
    if (mapped) return isLocalOrMetadataHost(mapped);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h); // WHATWG URLs write ::ffff:127.0.0.1 as ::ffff:7f00:1
    if (hex) {
      const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
      return isLocalOrMetadataHost(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return h === '::1' || h === '::' || /^fe[89ab][0-9a-f]:/.test(h) || h === 'fd00:ec2::254';
  }
  return false;
}

/**
 * SSRF protection for models added through the admin API: a `base_url` (of the model or any backend) on
 * loopback, link-local or a metadata address is refused (400 `ssrf_blocked`) unless
 * `governance.models.allow_local_addresses` is true. Models in yumen.yaml are the host operator's and are
 * not checked (a local Ollama on 127.0.0.1 stays the quick start). Only literal addresses and well-known
 * names are recognised: a DNS name that resolves to such an address is not.
 */
export function checkModelUrls(config: Record<string, unknown>): void {
  const urls: Array<[string, unknown]> = [['base_url', config.base_url]];
  if (Array.isArray(config.backends)) config.backends.forEach((b, i) => urls.push([`backends[${i}].base_url`, (b as Record<string, unknown>)?.base_url]));
  for (const [param, url] of urls) {
    if (typeof url !== 'string') continue;
    let host: string;
    try { host = new URL(url).hostname; } catch { continue; } // the provider's own check names a malformed URL
    if (isLocalOrMetadataHost(host)) {
      throw yumenError('ssrf_blocked', `${param}: "${host}" is a loopback, link-local or metadata address; models on such addresses are added in yumen.yaml, or allowed with governance.models.allow_local_addresses. / 不允许通过接口添加指向本机、链路本地或元数据地址的模型。`, { param });
    }
  }
}
