import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/yumen.js');

/** One real `yumen serve` process. */
export interface Node {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly configFile: string;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `yumen serve` with `config` (written as JSON, which is YAML) on a free port and resolves once it
 * listens. The process gets `env` on top of this one's (e.g. a shared YUMEN_MASTER_KEY).
 */
export async function startNode(config: Record<string, unknown>, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Node & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'yumen-node-'));
  const configFile = join(dir, 'yumen.yaml');
  writeFileSync(configFile, JSON.stringify({ data_dir: join(dir, 'data'), ...config }, null, 2));
  const proc = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | string>((r) => proc.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`yumen serve did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`yumen serve exited (${code}) before listening:\n${err}`));
    });
  });
  return { url, proc, configFile, dir, exited, stderr: () => err };
}

/** Stops a node if it still runs (SIGKILL) and removes its directory. */
export async function stopNode(node: Node & { dir: string }): Promise<void> {
  if (node.proc.exitCode === null && node.proc.signalCode === null) {
    node.proc.kill('SIGKILL');
    await node.exited;
  }
  rmSync(node.dir, { recursive: true, force: true });
}
