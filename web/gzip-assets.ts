import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

/** After the build, writes a .gz beside every script, style and page, so the server sends them compressed without compressing per request. */
export function gzipAssets(): Plugin {
  let outDir = '';
  return {
    name: 'yumen-gzip-assets',
    apply: 'build',
    configResolved(config: ResolvedConfig) { outDir = config.build.outDir; },
    closeBundle() {
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const file = join(dir, entry.name);
          if (entry.isDirectory()) walk(file);
          else if (/\.(js|css|html|svg|json)$/.test(entry.name)) writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
        }
      };
      walk(outDir);
    },
  };
}
