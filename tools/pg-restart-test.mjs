#!/usr/bin/env node
// The test that restarts PostgreSQL under load (test/ops/store-outage.test.ts) interrupts every
// other test using the same server, so `npm test` runs it alone, after the rest of the suite,
// and only when asked: RAMPART_TEST_PG_RESTART=1 (.ci/run sets it), a local cluster managed by
// pg_ctlcluster, and RAMPART_TEST_DATABASE_URL. Otherwise it says why it is left out.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const why =
  process.env.RAMPART_TEST_PG_RESTART !== '1'
    ? 'RAMPART_TEST_PG_RESTART is not 1'
    : !process.env.RAMPART_TEST_DATABASE_URL
      ? 'RAMPART_TEST_DATABASE_URL is not set'
      : !existsSync('/etc/postgresql')
        ? 'no local cluster under /etc/postgresql (pg_ctlcluster)'
        : undefined;
if (why) {
  console.log(`note: the PostgreSQL restart test is left out (${why}).`);
  process.exit(0);
}
const r = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', 'test/ops/store-outage.test.ts', '-t', 'PostgreSQL restart'],
  { stdio: 'inherit', env: { ...process.env, RAMPART_TEST_PG_RESTART: 'run' } },
);
process.exit(r.status ?? 1);
