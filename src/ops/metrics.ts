/**
 * `/metrics` in the Prometheus text format (prom-client). One registry per server, so that
 * servers in one process (tests) never mix their figures. The series:
 *
 *   rampart_requests_total{service,action,code}          answered API requests (code: Success or the error code)
 *   rampart_request_duration_seconds{service,action}     latency histogram of the same requests
 *   rampart_decisions_total{result}                      policy decisions: Allow, ExplicitDeny, ImplicitDeny
 *   rampart_policy_cache_total{result}                   compiled policy sets: hit or miss
 *   rampart_store_pool_connections{state}                PostgreSQL pool: total, idle, waiting, max
 *   rampart_nonces                                       rows of the replay-nonce store (at scrape, at most every 10 s;
 *                                                        above 100,000 rows on PostgreSQL, the planner's estimate)
 *   rampart_audit_backlog                                audit events buffered, not yet in the store
 *   rampart_jobs_total{job,result}                       background job runs here: ran, skipped, failed
 *   plus prom-client's process and Node.js runtime metrics (rampart_process_*, rampart_nodejs_*).
 *
 * Labels come from the action registry and the error catalogue, never from what a caller
 * sends, so their number stays bounded (an unknown action is counted as `unknown`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';

export interface RequestObservation {
  readonly service: string;
  readonly action: string;
  readonly code: string;
  readonly seconds: number;
  /** The policy decision, when the request reached one. */
  readonly decision?: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' | undefined;
}

export interface Metrics {
  readonly contentType: string;
  observeRequest(o: RequestObservation): void;
  /** A lookup of a principal's compiled policy set. */
  observeCache(hit: boolean): void;
  observeJob(job: string, result: 'ran' | 'skipped' | 'failed'): void;
  /** The exposition text. */
  render(): Promise<string>;
}

export interface MetricsSources {
  readonly store: Store;
  /** Events buffered by the audit recorder. */
  readonly auditBacklog: () => number;
}

/**
 * Rows of the nonce table (SQLite: of the nonce log, src/store/sqlite/nonces.ts): counted,
 * except on a large PostgreSQL table (the planner's estimate above 100,000 rows, where a count
 * would scan them all at every scrape).
 */
async function nonceRows(store: Store): Promise<number> {
  if (store.countNonces) return store.countNonces();
  if (store.dialect === 'postgres') {
    const r = await sql<{ n: number | string | null }>`select reltuples::bigint as n from pg_class
        where oid = to_regclass('nonces')`.execute(store.db);
    const estimate = Number(r.rows[0]?.n ?? -1);
    if (estimate > 100_000) return estimate;
  }
  const row = await store.db
    .selectFrom('nonces')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How long a counted nonce total is reused between scrapes. */
const NONCE_COUNT_TTL_MS = 10_000;

/**
 * A counter counted where it happens in a plain map, and handed to prom-client when /metrics is
 * read (its `collect`): prom-client hashes and checks the labels at every increment, about half a
 * microsecond each, several times a request. The label values, in `labelNames` order, are the
 * function's arguments; they come from the code (never from a caller), so none holds the
 * separator the key joins them with.
 */
function talliedCounter<L extends string>(config: {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registry: Registry;
}): (...values: string[]) => void {
  const counts = new Map<string, { readonly labels: Partial<Record<L, string>>; n: number }>();
  new Counter<L>({
    name: config.name,
    help: config.help,
    labelNames: config.labelNames,
    registers: [config.registry],
    collect() {
      this.reset();
      for (const { labels, n } of counts.values()) this.inc(labels, n);
    },
  });
  return (...values) => {
    const key = values.join('\u0000');
    let tally = counts.get(key);
    if (!tally) {
      const labels = Object.fromEntries(config.labelNames.map((l, i) => [l, values[i]!])) as Record<
        L,
        string
      >;
      counts.set(key, (tally = { labels, n: 0 }));
    }
    tally.n++;
  };
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rampart_' });
  const requests = talliedCounter({
    name: 'rampart_requests_total',
    help: 'API requests answered, by service, action and result code.',
    labelNames: ['service', 'action', 'code'] as const,
    registry,
  });
  const latency = new Histogram({
    name: 'rampart_request_duration_seconds',
    help: 'Time from the start of the request path to the answer, by service and action.',
    labelNames: ['service', 'action'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const decisions = talliedCounter({
    name: 'rampart_decisions_total',
    help: 'Policy decisions on API requests, by result.',
    labelNames: ['result'] as const,
    registry,
  });
  const cache = talliedCounter({
    name: 'rampart_policy_cache_total',
    help: 'Lookups of compiled policy sets, by result (hit or miss).',
    labelNames: ['result'] as const,
    registry,
  });
  const jobs = new Counter({
    name: 'rampart_jobs_total',
    help: 'Background job turns on this node, by job and result (ran, skipped: another node had it, failed).',
    labelNames: ['job', 'result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'rampart_store_pool_connections',
    help: 'PostgreSQL pool connections of this node, by state (total, idle, waiting callers, max).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = sources.store.poolStats?.();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
      this.set({ state: 'max' }, stats.max);
    },
  });
  let nonceCount: { at: number; value: number } | undefined;
  new Gauge({
    name: 'rampart_nonces',
    help: 'Rows in the replay-nonce store (shared by all nodes on PostgreSQL).',
    registers: [registry],
    async collect() {
      const now = Date.now();
      if (!nonceCount || now - nonceCount.at > NONCE_COUNT_TTL_MS) {
        try {
          nonceCount = { at: now, value: await nonceRows(sources.store) };
        } catch {
          // The store is out of reach: keep the last figure.
        }
      }
      if (nonceCount) this.set(nonceCount.value);
    },
  });
  new Gauge({
    name: 'rampart_audit_backlog',
    help: 'Audit events buffered on this node, not yet appended to the store.',
    registers: [registry],
    collect() {
      this.set(sources.auditBacklog());
    },
  });

  return {
    contentType: registry.contentType,
    observeRequest(o) {
      requests(o.service, o.action, o.code);
      latency.observe({ service: o.service, action: o.action }, o.seconds);
      if (o.decision) decisions(o.decision);
    },
    observeCache(hit) {
      cache(hit ? 'hit' : 'miss');
    },
    observeJob(job, result) {
      jobs.inc({ job, result });
    },
    render: () => registry.metrics(),
  };
}
