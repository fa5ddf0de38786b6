import type { JobGate } from './job-lease.js';

/**
 * Background work: a job runs once when started, then every `everyMs`, one run at a time (a
 * run that is still going when the next is due makes that one wait). A failed run is logged
 * and retried at the next period; it never stops the server. With a `gate` (src/ops/job-lease.ts)
 * the nodes sharing a store run each period's job once between them; `runNow` forces a run
 * (still never two at once). Jobs are idempotent, so a run repeated after a crash is harmless.
 */

export interface PeriodicJob {
  /** Runs the job now (after the current run, if one is going) and resolves when done. */
  runNow(): Promise<void>;
  /** Stops the schedule; resolves when a run under way has finished. */
  stop(): Promise<void>;
}

export interface PeriodicJobOptions {
  readonly name: string;
  readonly everyMs: number;
  readonly run: () => Promise<string | undefined>;
  /** One line per run that changed something, and per failure. */
  readonly log: (line: string) => void;
  /** Runs the job once across the nodes of the deployment (absent: every start and period runs). */
  readonly gate?: JobGate;
}

export function startPeriodicJob(opts: PeriodicJobOptions): PeriodicJob {
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const once = (forced: boolean): Promise<void> => {
    current = current.then(async () => {
      if (stopped) return;
      try {
        const said = opts.gate
          ? await opts.gate(opts.name, opts.everyMs, forced, opts.run)
          : await opts.run();
        if (said) opts.log(`${opts.name}: ${said}`);
      } catch (err) {
        opts.log(`${opts.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return current;
  };
  void once(false);
  const timer = setInterval(() => void once(false), opts.everyMs);
  timer.unref();
  return {
    runNow: () => once(true),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
