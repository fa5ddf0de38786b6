import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../config.js';
import type { Sealer } from '../../crypto/seal.js';
import type { Store } from '../../store/index.js';
import { createFileSink } from './file-sink.js';
import { createWebhookSink, webhookTokenProblem } from './webhook-sink.js';
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

/**
 * Runs `step` every pollMs; while it fails, retries with a doubling pause up to maxBackoffMs.
 * A step reports each delivery it made (`progress`): a failure after one starts a new run of
 * failures (logged, the pause back to its shortest), and a failure whose reason differs from
 * the one before is logged too, so a receiver that fails one way and then another (a 500, then
 * a redirect) is seen each way. Otherwise the first failure of a run and every 20th are logged.
 */
function loop(
  name: string,
  pollMs: number,
  maxBackoffMs: number,
  step: (progress: () => void) => Promise<void>,
  log: (l: string) => void,
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let failures = 0;
  let lastWhy = '';
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = run();
    }, ms);
    timer.unref();
  };
  const recovered = () => {
    if (failures > 0) log(`audit ${name} sink: delivering again after ${failures} failed attempt(s)`);
    failures = 0;
  };
  const run = async () => {
    let progressed = false;
    try {
      await step(() => {
        if (!progressed) recovered();
        progressed = true;
      });
      recovered();
      lastWhy = '';
      schedule(pollMs);
    } catch (err) {
      failures++;
      // No URL's user information or query (a secret's usual places) reaches the log.
      const why = redactUrls(err instanceof Error ? err.message : String(err));
      if (failures === 1 || failures % 20 === 0 || why !== lastWhy)
        log(`audit ${name} sink: ${why}; retrying with backoff (events wait on disk)`);
      lastWhy = why;
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

/**
 * Refuses, before the server listens, a sink that could never run: a JSON Lines file that
 * names a directory or something else than a file, whose directory is missing, or that cannot
 * be written (the file is created, empty, when it is not there), and a webhook token that
 * cannot be sent. Without this the sink would fail at every attempt while events pile up, or
 * the server would start without its sink.
 */
export function checkAuditSinks(config: AuditSinkConfig): void {
  if (config.webhook) {
    const problem = webhookTokenProblem(config.webhook.token);
    if (problem) throw new ConfigError(problem);
  }
  if (!config.file) return;
  const path = config.file.path;
  const dir = dirname(resolve(path));
  const refuse = (why: string) => new ConfigError(`RAMPART_AUDIT_FILE=${path}: ${why}`);
  const st = statSync(path, { throwIfNoEntry: false });
  if (st?.isDirectory()) throw refuse('is a directory; name a file in it (e.g. audit.jsonl)');
  if (st && !st.isFile())
    throw refuse('is not a regular file (the sink appends to it and renames it to rotate)');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw refuse(`no directory ${dir}`);
  try {
    // The directory takes the rotated files (renames), the file the appends.
    accessSync(dir, constants.W_OK);
    closeSync(openSync(path, 'a', 0o600));
  } catch (err) {
    throw refuse(`cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
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
        async (progress) => {
          while ((await sink.spool()) > 0);
          while ((await sink.deliver()) > 0) progress();
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
