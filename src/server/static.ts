import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` puts the console (vite's outDir). */
export const DEFAULT_CONSOLE_DIR = resolve(fileURLToPath(new URL('../../dist/console', import.meta.url)));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the console never answers: the APIs keep their own JSON 404s. */
const API_PREFIXES = ['/api/', '/v1/', '/healthz', '/readyz', '/metrics'];

/**
 * The console's own rules: scripts and styles from this origin only (Ant Design writes its styles into
 * <style> elements, hence 'unsafe-inline' for styles alone), no framing, no referrer to other sites.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

interface Asset { body: Buffer; gzip: Buffer | null; type: string; immutable: boolean }

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.headers(SECURITY_HEADERS);
  reply.header('content-type', asset.type);
  reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('vary', 'accept-encoding');
  if (asset.gzip && acceptsGzip(request)) {
    reply.header('content-encoding', 'gzip');
    return reply.send(asset.gzip);
  }
  return reply.send(asset.body);
}

/**
 * Serves the built console at `/` on the gateway's own port: hashed files under /assets/ are cached for
 * good (with their pre-compressed `.gz` beside them when the build made one), every other page path gets
 * index.html so the browser's router can take it (SPA fallback). Files are read once and kept in memory:
 * the console is a few megabytes and never changes while the server runs. Without a build the plugin
 * answers `/` with a short note on how to build it.
 */
export function consoleStatic(opts: { dir?: string } = {}) {
  const root = resolve(opts.dir ?? DEFAULT_CONSOLE_DIR);
  const cache = new Map<string, Asset | null>();

  function load(rel: string): Asset | null {
    if (cache.has(rel)) return cache.get(rel)!;
    const file = resolve(join(root, rel));
    let asset: Asset | null = null;
    if ((file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile()) {
      const gz = `${file}.gz`;
      asset = {
        body: readFileSync(file),
        gzip: existsSync(gz) ? readFileSync(gz) : null,
        type: TYPES[extname(file)] ?? 'application/octet-stream',
        immutable: rel.startsWith('assets/'),
      };
    }
    cache.set(rel, asset);
    return asset;
  }

  return async function registerConsole(app: FastifyInstance): Promise<void> {
    const built = existsSync(join(root, 'index.html'));
    async function page(request: FastifyRequest, reply: FastifyReply) {
      const path = decodeURIComponent(request.url.split('?')[0]);
      if (API_PREFIXES.some((p) => path.startsWith(p)) || path.includes('\0')) return reply.callNotFound();
      if (!built) {
        return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built. Run `npm run build:web` (npm install does it). / 控制台尚未构建，请运行 npm run build:web。\n');
      }
      const rel = path.replace(/^\/+/, '');
      const file = rel && !rel.split('/').includes('..') ? load(rel) : null;
      if (file) return send(request, reply, file);
      // A missing hashed asset is a real 404 (a stale tab after an upgrade), not the app shell.
      if (rel.startsWith('assets/') || extname(rel)) return reply.callNotFound();
      return send(request, reply, load('index.html')!);
    }
    app.get('/', page);
    app.get('/*', page);
  };
}
