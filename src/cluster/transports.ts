import { Redis } from 'ioredis';
import pg from 'pg';
import { parseChangeMessage, type ChangeMessage, type ChangeTransport } from './change-bus.ts';

/** Redis pub/sub on `<prefix>changes`: one connection to publish, one subscribed. */
export function redisChangeTransport(url: string, prefix: string): ChangeTransport {
  const channel = `${prefix}changes`;
  const pub = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const sub = new Redis(url, { lazyConnect: true });
  for (const r of [pub, sub]) r.on('error', () => { /* ioredis reconnects; the version check covers the gap */ });
  return {
    name: 'redis',
    async send(m: ChangeMessage) {
      await pub.publish(channel, JSON.stringify(m));
    },
    async start(onMessage) {
      await Promise.all([pub.connect(), sub.connect()]);
      sub.on('message', (ch: string, raw: string) => {
        if (ch !== channel) return;
        const m = parseChangeMessage(raw);
        if (m) onMessage(m);
      });
      // ioredis re-subscribes by itself after a reconnect.
      await sub.subscribe(channel);
    },
    async close() {
      await Promise.all([pub, sub].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}

/** The NOTIFY channel; a database is its own namespace, so one name serves every installation. */
const PG_CHANNEL = 'yumen_changes';

/**
 * PostgreSQL LISTEN/NOTIFY: one dedicated connection listens (re-established after it drops); `notify`
 * sends through the store's pool. Used when there is no Redis.
 */
export function postgresChangeTransport(url: string, notify: (channel: string, payload: string) => Promise<void>, opts: { onError?: (err: unknown) => void } = {}): ChangeTransport {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let handler: (m: ChangeMessage) => void = () => {};

  async function listen(): Promise<void> {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel !== PG_CHANNEL || !n.payload) return;
      const m = parseChangeMessage(n.payload);
      if (m) handler(m);
    });
    const reconnect = (err?: unknown) => {
      if (err) opts.onError?.(err);
      if (closed || client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      retry = setTimeout(() => void listen().catch((e) => reconnect(e)), 1000);
      retry.unref();
    };
    c.on('error', reconnect);
    c.on('end', () => reconnect());
    client = c;
    await c.connect();
    await c.query(`LISTEN ${PG_CHANNEL}`);
  }

  return {
    name: 'postgres',
    async send(m) {
      await notify(PG_CHANNEL, JSON.stringify(m));
    },
    async start(onMessage) {
      handler = onMessage;
      await listen();
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
