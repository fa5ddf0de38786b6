// Proof benchmark: time per `provePolicyChange` (both questions: does NEW widen, does it
// narrow) on typical pairs of policy documents, the solver already loaded.
// Build first (npm run build); run with `node bench/analysis/run.js` or `npm run bench -- analysis`.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { provePolicyChange } from '../../dist/analysis/prove.js';
import { closeSolver, solverContext } from '../../dist/analysis/solver.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const doc = (...statements) => ({ Version: '1', Statement: statements });

const RD = doc(
  { Effect: 'Allow', Action: ['ecs:Describe*', 'rds:Describe*'], Resource: '*' },
  {
    Effect: 'Allow',
    Action: 'oss:*',
    Resource: ['acs:oss:*:*:rd-data', 'acs:oss:*:*:rd-data/*'],
    Condition: {
      IpAddress: { 'acs:SourceIp': '192.0.2.0/24' },
      DateLessThan: { 'acs:CurrentTime': '2026-12-31T18:00:00+08:00' },
    },
  },
  { Effect: 'Deny', Action: 'oss:Delete*', Resource: '*' },
);
const clone = (x) => JSON.parse(JSON.stringify(x));

const PAIRS = [];
{
  const wider = clone(RD);
  wider.Statement[0].Action.push('ecs:Start*');
  PAIRS.push(['extra action (widens)', RD, wider]);
  const narrower = clone(RD);
  narrower.Statement[1].Condition.Bool = { 'acs:MFAPresent': 'true' };
  PAIRS.push(['added MFA condition (narrows)', RD, narrower]);
  const same = clone(RD);
  same.Statement.reverse();
  PAIRS.push(['statements reordered (equivalent)', RD, same]);
  const noDeny = clone(RD);
  noDeny.Statement.pop();
  PAIRS.push(['Deny removed (widens)', RD, noDeny]);
  const cidr = clone(RD);
  cidr.Statement[1].Condition.IpAddress['acs:SourceIp'] = ['192.0.2.0/24', '198.51.100.0/24'];
  cidr.Statement[1].Resource = ['acs:oss:*:*:rd-data/*'];
  PAIRS.push(['CIDR added, bucket resource dropped (both)', RD, cidr]);
  const big = doc(
    ...Array.from({ length: 20 }, (_, i) => ({
      Effect: i % 5 === 4 ? 'Deny' : 'Allow',
      Action: [`svc${i}:Get*`, `svc${i}:List*`],
      Resource: `acs:svc${i}:*:*:thing/${i}/*`,
      ...(i % 3 === 0 ? { Condition: { StringLike: { 'acs:UserAgent': `tool-${i}-*` } } } : {}),
    })),
  );
  const big2 = clone(big);
  big2.Statement[7].Resource = `acs:svc7:*:*:thing/*`;
  PAIRS.push(['20 statements, one resource widened', big, big2]);
}

const t0 = performance.now();
await solverContext();
const load = performance.now() - t0;
console.log(`node ${process.version}, ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ''}`);
console.log(`solver load (once per process): ${load.toFixed(0)} ms`);
console.log(`${'pair'.padEnd(44)} ${'verdict'.padEnd(20)} p50 ms   p90 ms   max ms`);
for (const [name, a, b] of PAIRS) {
  const times = [];
  let verdict = '';
  for (let i = 0; i < ROUNDS; i++) {
    const s = performance.now();
    const r = await provePolicyChange(a, b);
    times.push(performance.now() - s);
    verdict = r.verdict;
  }
  times.sort((x, y) => x - y);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  console.log(
    `${name.padEnd(44)} ${verdict.padEnd(20)} ${q(0.5).padStart(6)}   ${q(0.9).padStart(6)}   ${times[times.length - 1].toFixed(1).padStart(6)}`,
  );
}
await closeSolver();
