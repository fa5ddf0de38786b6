import type { Sealer } from '../../crypto/seal.js';
import { join } from 'node:path';
import type { Store } from '../../store/index.js';
import { createFileSink } from './file-sink.js';
import { createWebhookSink } from './webhook-sink.js';
import { redactUrls } from './webhook-url.js';

/** Export sinks of the audit trail (docs/audit.md "Export"). */
export interface AuditSinkConfig {
  readonly file?: { readonly path: string; readonly maxBytes: number; readonly keep: number } | undefined;
  readonly webhook?:
    { readonly url: string; readonly token?: string | undefined; readonly batch: number } | undefined;
  /** How often a sink looks for new events (default 1000 ms). */
  readonly pollMs?: number;
  /** The longest pause between retries while a receiver fails (default 30000 ms). */
  readonly maxBackoffMs?: number;
}

export interface RunningSinks {
  stop(): Promise<void>;
}

interface Loop {
  stop(): Promise<void>;
}

/** Runs `step` every pollMs; while it fails, retries with a doubling pause up to maxBackoffMs. */
function loop(
  name: string,
  pollMs: number,
  maxBackoffMs: number,
  step: () => Promise<void>,
  log: (l: string) => void,
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let failures = 0;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = run();
    }, ms);
    timer.unref();
  };
  const run = async () => {
    try {
      await step();
      if (failures > 0) log(`audit ${name} sink: delivering again after ${failures} failed attempt(s)`);
      failures = 0;
      schedule(pollMs);
    } catch (err) {
      failures++;
      if (failures === 1 || failures % 20 === 0) {
        // No URL's user information or query (a secret's usual places) reaches the log.
        const why = redactUrls(err instanceof Error ? err.message : String(err));
        log(`audit ${name} sink: ${why}; retrying with backoff (events wait on disk)`);
      }
      schedule(Math.min(pollMs * 2 ** Math.min(failures, 16), maxBackoffMs));
    }
  };
  current = run();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}

export function startAuditSinks(
  store: Store,
  sealer: Sealer,
  dataDir: string,
  config: AuditSinkConfig,
  log: (line: string) => void,
): RunningSinks {
  const pollMs = config.pollMs ?? 1000;
  const maxBackoffMs = config.maxBackoffMs ?? 30_000;
  const loops: Loop[] = [];
  const stateDir = join(dataDir, 'audit-sinks');
  if (config.file) {
    const sink = createFileSink(store, { ...config.file, stateDir, sealer });
    loops.push(
      loop(
        'file',
        pollMs,
        maxBackoffMs,
        async () => {
          while ((await sink.pump()) > 0);
        },
        log,
      ),
    );
  }
  if (config.webhook) {
    const sink = createWebhookSink(store, { ...config.webhook, spoolDir: join(stateDir, 'webhook') });
    loops.push(
      loop(
        'webhook',
        pollMs,
        maxBackoffMs,
        async () => {
          while ((await sink.spool()) > 0);
          while ((await sink.deliver()) > 0);
        },
        log,
      ),
    );
  }
  return {
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
