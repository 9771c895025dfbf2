import { randomUUID } from 'node:crypto';

/**
 * The kinds of admin change that caches on the request path must see: a revoked key (the key
 * authenticator), a policy, dictionary or department change (the compiled guards), a model added,
 * changed or removed (the model registry), an app change (the app catalogue).
 */
export const CHANGE_TOPICS = ['keys', 'policies', 'models', 'apps'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/** What travels between nodes: which topic changed, to which version, on which node. */
export interface ChangeMessage { topic: ChangeTopic; version: number; node: string }

/** A push channel between nodes (Redis pub/sub, PostgreSQL LISTEN/NOTIFY). Delivery may be lost; the version check repairs that. */
export interface ChangeTransport {
  readonly name: string;
  send(message: ChangeMessage): Promise<void>;
  /** Starts listening; `onMessage` gets every message of every node, this one's included. */
  start(onMessage: (message: ChangeMessage) => void): Promise<void>;
  close(): Promise<void>;
}

/** The per-topic versions in the shared database. */
export interface VersionStore {
  bump(topic: string): Promise<number>;
  all(): Promise<Map<string, number>>;
}

export type ChangeHandler = () => void | Promise<void>;

export interface ChangeBus {
  readonly nodeId: string;
  /** The push channel in use ('none' on a single node without Redis or PostgreSQL). */
  readonly transport: string;
  /**
   * Applies a change on this node (its handlers have run when this resolves), then tells every other
   * node. A failure to tell them is reported to onError and left to the periodic check.
   */
  publish(topic: ChangeTopic): Promise<void>;
  /** Runs `handler` after every change of `topic`, made here or on another node. Returns an unsubscribe. */
  subscribe(topic: ChangeTopic, handler: ChangeHandler): () => void;
  /** Compares the stored versions with those seen and applies what changed (the periodic safety net). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeBusOptions {
  versions?: VersionStore;
  transport?: ChangeTransport;
  /** Period of the version check (default 2000 ms; 0 = none). */
  checkEveryMs?: number;
  nodeId?: string;
  onError?: (err: unknown, what: string) => void;
}

function isMessage(v: unknown): v is ChangeMessage {
  const m = v as ChangeMessage;
  return typeof m === 'object' && m !== null && (CHANGE_TOPICS as readonly string[]).includes(m.topic) && Number.isSafeInteger(m.version) && typeof m.node === 'string';
}

/** Parses a message from the wire; anything else (another program on the channel) is ignored. */
export function parseChangeMessage(raw: string): ChangeMessage | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return isMessage(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One change bus per node. Every node applies a change exactly once per version it learns of: from its own
 * publish, from the push channel, or from the periodic comparison of the versions stored in the database.
 * Without a shared store or transport (a single node on SQLite) it is simply in-process.
 */
export async function createChangeBus(opts: ChangeBusOptions = {}): Promise<ChangeBus> {
  const nodeId = opts.nodeId ?? randomUUID();
  const onError = opts.onError ?? (() => {});
  const handlers = new Map<ChangeTopic, Set<ChangeHandler>>();
  const seen = new Map<string, number>();
  let closed = false;

  async function apply(topic: ChangeTopic): Promise<void> {
    for (const h of [...(handlers.get(topic) ?? [])]) {
      try {
        await h();
      } catch (err) {
        onError(err, `applying a ${topic} change`);
      }
    }
  }

  /** Applies `topic` when `version` is newer than the one seen; returns whether it did. */
  function learn(topic: ChangeTopic, version: number): Promise<void> | undefined {
    if (closed || version <= (seen.get(topic) ?? 0)) return undefined;
    seen.set(topic, version);
    return apply(topic);
  }

  if (opts.versions) {
    try {
      for (const [topic, v] of await opts.versions.all()) seen.set(topic, v);
    } catch (err) {
      onError(err, 'reading change versions');
    }
  }
  try {
    await opts.transport?.start((m) => {
      if (m.node !== nodeId) void learn(m.topic, m.version);
    });
  } catch (err) {
    // Not fatal: the version check still brings every change, only later.
    onError(err, `connecting the ${opts.transport?.name} change channel`);
  }

  async function check(): Promise<void> {
    if (!opts.versions || closed) return;
    const versions = await opts.versions.all();
    await Promise.all([...versions].filter(([t]) => (CHANGE_TOPICS as readonly string[]).includes(t)).map(([t, v]) => learn(t as ChangeTopic, v)));
  }

  let checking = false;
  const timer = opts.checkEveryMs === 0 || !opts.versions ? undefined : setInterval(() => {
    if (checking) return;
    checking = true;
    check().catch((err) => onError(err, 'checking change versions')).finally(() => { checking = false; });
  }, opts.checkEveryMs ?? 2000);
  timer?.unref();

  return {
    nodeId,
    transport: opts.transport?.name ?? 'none',
    async publish(topic) {
      let version: number | undefined;
      if (opts.versions) {
        try {
          version = await opts.versions.bump(topic);
          seen.set(topic, Math.max(seen.get(topic) ?? 0, version));
        } catch (err) {
          onError(err, `storing a ${topic} change`);
        }
      }
      await apply(topic);
      if (opts.transport && version !== undefined) {
        await opts.transport.send({ topic, version, node: nodeId }).catch((err) => onError(err, `announcing a ${topic} change`));
      }
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    check,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await opts.transport?.close();
    },
  };
}
