import type { Command } from 'commander';
import { startYumen } from '../../server/bootstrap.ts';
import { fail, loadValidatedConfig, withConfigOption } from '../config-option.ts';

export function registerServeCommand(program: Command): void {
  withConfigOption(program.command('serve'))
    .description('start the gateway (OpenAI-compatible API on /v1) / 启动网关')
    .option('--host <host>', 'address to listen on (default: server.host, 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (default: server.port, 8080)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: expected 0–65535, got ${v}`);
      return n;
    })
    .action(async (opts: { config?: string; host?: string; port?: number }) => {
      try {
        const config = loadValidatedConfig(opts.config);
        const running = await startYumen(config, { host: opts.host, port: opts.port });
        const names = config.models.map((m) => `${m.name} (${m.zone})`).join(', ') || 'none — add models to yumen.yaml';
        process.stderr.write(`yumen: listening on ${running.url}  models: ${names}  storage: ${config.storage.url.replace(/\/\/[^@]*@/, '//***@')}\n`);
        if (running.setupUrl) {
          process.stderr.write(`yumen: first run — no account yet. Open this one-time link to create the administrators / 首次启动：请打开以下一次性链接创建管理员账号:\n  ${running.setupUrl}\n`);
        }
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) {
            process.stderr.write('yumen: forced exit\n');
            process.exit(1);
          }
          stopping = true;
          process.stderr.write(`yumen: ${signal} received, finishing in-flight requests (up to ${config.server.shutdown_grace_ms} ms)…\n`);
          running.close().then(() => process.exit(0), (err) => {
            process.stderr.write(`yumen: shutdown error: ${(err as Error).message}\n`);
            process.exit(1);
          });
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      } catch (err) {
        fail(err);
      }
    });
}
