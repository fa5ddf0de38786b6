/**
 * Background jobs run once across the nodes of a deployment. Two guards, both in the store
 * every node shares:
 *
 * - the period: a scheduled run first claims it in `job_runs` with one conditional UPDATE
 *   (`started_at` moves forward only when the last run started a period ago), so three nodes
 *   whose timers fire in the same hour run the job once between them;
 * - the lock (PostgreSQL): the run holds a session advisory lock named after the job, so a run
 *   never overlaps another node's run of the same job, even when one is forced (`runNow`) or
 *   outlives its period. A node that dies mid-run loses its connection, and with it the lock.
 *
 * On SQLite one process writes at a time and the period claim alone suffices.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Database, Store } from '../store/index.js';

/** Decides whether this node runs a job now, and records the run. */
export type JobGate = (
  name: string,
  everyMs: number,
  forced: boolean,
  run: () => Promise<string | undefined>,
) => Promise<string | undefined>;

/** How early a node may claim the next period: clocks and timers of nodes drift a little. */
function slackMs(everyMs: number): number {
  return Math.min(Math.floor(everyMs / 10), 60_000);
}

/** This process, as `job_runs.node` names it: host, pid and a random tag. */
export function nodeName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** A stable 32-bit lock key per job (PostgreSQL's hashtext of a namespaced name). */
const lockName = (job: string) => `rampart.job.${job}`;

/**
 * The gate of the background jobs of one node: `clock` is the deployment's clock (tests move
 * it), `node` the name recorded with each run.
 */
export interface JobGateOptions {
  /** The name recorded with each run (default: host, pid and a random tag). */
  readonly node?: string;
  /** Told of each turn: the job ran here, was skipped (another node has it), or failed. */
  readonly onTurn?: (job: string, result: 'ran' | 'skipped' | 'failed') => void;
}

export function createJobGate(store: Store, clock: () => Date, opts: JobGateOptions = {}): JobGate {
  const node = opts.node ?? nodeName();
  const gated = createGate(store, clock, node);
  const onTurn = opts.onTurn;
  if (!onTurn) return gated;
  return async (name, everyMs, forced, run) => {
    let ran = false;
    try {
      const said = await gated(name, everyMs, forced, () => {
        ran = true;
        return run();
      });
      onTurn(name, ran ? 'ran' : 'skipped');
      return said;
    } catch (err) {
      onTurn(name, 'failed');
      throw err;
    }
  };
}

function createGate(store: Store, clock: () => Date, node: string): JobGate {
  async function claim(
    db: Kysely<Database>,
    name: string,
    everyMs: number,
    forced: boolean,
    locked: boolean,
  ) {
    const now = clock();
    await db
      .insertInto('job_runs')
      .values({ name, started_at: null, finished_at: null, runs: 0, node: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const due = new Date(now.getTime() - everyMs + slackMs(everyMs)).toISOString();
    const claimed = await db
      .updateTable('job_runs')
      .set((eb) => ({ started_at: now.toISOString(), runs: eb('runs', '+', 1), node }))
      .where('name', '=', name)
      .$if(!forced, (qb) =>
        qb.where((eb) => eb.or([eb('started_at', 'is', null), eb('started_at', '<=', due)])),
      )
      // Without the advisory lock (SQLite), a forced run waits for one under way to end, unless
      // that one started a period ago (its process died).
      .$if(forced && !locked, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('started_at', 'is', null),
            eb('finished_at', '>=', eb.ref('started_at')),
            eb('started_at', '<=', due),
          ]),
        ),
      )
      .returning('runs')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  /** The run ended (done or failed): recorded so that a forced run on SQLite may start. */
  async function finish(db: Kysely<Database>, name: string) {
    await db
      .updateTable('job_runs')
      .set({ finished_at: clock().toISOString() })
      .where('name', '=', name)
      .where('node', '=', node)
      .execute();
  }

  return async (name, everyMs, forced, run) => {
    if (store.dialect !== 'postgres') {
      if (!(await claim(store.db, name, everyMs, forced, false))) return undefined;
      try {
        return await run();
      } finally {
        await finish(store.db, name);
      }
    }
    // One connection holds the session lock for the whole run; the job's own queries use the pool.
    return store.db.connection().execute(async (conn) => {
      const got = await sql<{
        ok: boolean;
      }>`select pg_try_advisory_lock(hashtext(${lockName(name)})) as ok`.execute(conn);
      if (!got.rows[0]?.ok) return undefined;
      try {
        if (!(await claim(conn, name, everyMs, forced, true))) return undefined;
        try {
          return await run();
        } finally {
          await finish(conn, name);
        }
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${lockName(name)}))`.execute(conn);
      }
    });
  };
}
