// Policy engine benchmark: the compiled engine against the reference interpreter, Cedar
// (cedar-wasm, stateful API with a pre-parsed policy set) and casbin, on the seed scenario.
// Build first (npm run build); run with `node bench/policy/run.js` or `npm run bench -- policy`.
//
// Latency: calls are timed in batches of BATCH with process.hrtime.bigint and each batch's
// time is divided by BATCH; per-call timing of sub-microsecond work would measure the timer.
// p50/p99 are over those batch means.
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { compilePolicySet, evaluate, interpret } from '../../dist/policy/index.js';

const require = createRequire(import.meta.url);
const BATCH = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const A = '1234567890123456';

// ---------------------------------------------------------------- the seed scenario
const RD = {
  name: 'rd-access',
  type: 'Custom',
  attachedTo: 'group:RD',
  document: {
    Version: '1',
    Statement: [
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
    ],
  },
};
const OM = {
  name: 'om-compute',
  type: 'Custom',
  attachedTo: 'group:OM',
  document: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['ecs:*', 'rds:*'], Resource: '*' }] },
};
const HR = {
  name: 'hr-user-admin',
  type: 'Custom',
  attachedTo: 'group:HR',
  document: {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['ram:*User', 'ram:ListUsers'], Resource: `acs:ram:*:${A}:user/*` },
    ],
  },
};
const UNRELATED = Array.from({ length: 50 }, (_, i) => ({
  name: `team-${i}`,
  type: 'Custom',
  attachedTo: `group:G${i}`,
  document: { Version: '1', Statement: [{ Effect: 'Allow', Action: `svc${i}:*`, Resource: '*' }] },
}));

// The caller is in R&D and O&M: only those groups' policies apply to it.
const principal = {
  type: 'RAMUser',
  accountId: A,
  name: 'dev-ops',
  userId: '2000000000000042',
  arn: `acs:ram::${A}:user/dev-ops`,
};
const context = {
  'acs:SourceIp': { type: 'IP', values: ['192.0.2.44'] },
  'acs:CurrentTime': { type: 'Date', values: ['2026-11-23T10:00:00+08:00'] },
  'acs:SecureTransport': { type: 'Bool', values: [true] },
};
const requests = [
  { principal, action: 'oss:GetObject', resource: `acs:oss:*:${A}:rd-data/design.doc`, context },
  { principal, action: 'ecs:DescribeInstances', resource: `acs:ecs:cn-hangzhou:${A}:instance/i-1`, context },
  { principal, action: 'oss:DeleteObject', resource: `acs:oss:*:${A}:rd-data/design.doc`, context },
  { principal, action: 'ram:CreateRole', resource: `acs:ram:*:${A}:role/ops`, context },
];
const expected = ['Allow', 'Allow', 'ExplicitDeny', 'ImplicitDeny'];
const set = { identity: [RD, OM] };

// ---------------------------------------------------------------- measuring
function measure(fn, inputs, seconds = SECONDS) {
  const n = inputs.length;
  let k = 0;
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(seconds * 0.25e9));
  while (process.hrtime.bigint() < warmEnd) for (let i = 0; i < BATCH; i++) fn(inputs[k++ % n]);
  const samples = [];
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) fn(inputs[k++ % n]);
    now = process.hrtime.bigint();
    samples.push(Number(now - t0) / BATCH);
    calls += BATCH;
  }
  samples.sort((a, b) => a - b);
  const pick = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { perSecond: calls / (Number(now - start) / 1e9), p50: pick(0.5), p99: pick(0.99) };
}

const fmtNs = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
const fmtRate = (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(1)} k/s`);

// ---------------------------------------------------------------- engines
const engines = [];

const compiled = compilePolicySet(set);
engines.push({ name: 'Rampart compiled', decide: (r) => evaluate(compiled, r).decision });
engines.push({ name: 'Rampart interpreter', decide: (r) => interpret(set, r).decision });

// Cedar: the same rules, actions and ARNs as context strings matched with `like`
// (case-insensitive actions: lower-cased on both sides), the address with the ipaddr extension.
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const cedarPolicies = [
  `permit(principal in Group::"RD", action == Action::"call", resource) when { context.action like "ecs:describe*" || context.action like "rds:describe*" };`,
  `permit(principal in Group::"RD", action == Action::"call", resource) when { context.action like "oss:*" && (context.resource like "acs:oss:*:*:rd-data" || context.resource like "acs:oss:*:*:rd-data/*") && context.sourceIp.isInRange(ip("192.0.2.0/24")) && context.now < 1798711200000 };`,
  `forbid(principal in Group::"RD", action == Action::"call", resource) when { context.action like "oss:delete*" };`,
  `permit(principal in Group::"OM", action == Action::"call", resource) when { context.action like "ecs:*" || context.action like "rds:*" };`,
  `permit(principal in Group::"HR", action == Action::"call", resource) when { (context.action like "ram:*user" || context.action == "ram:listusers") && context.resource like "acs:ram:*:${A}:user/*" };`,
  ...UNRELATED.map(
    (_, i) =>
      `permit(principal in Group::"G${i}", action == Action::"call", resource) when { context.action like "svc${i}:*" };`,
  ),
].join('\n');
const parsed = cedar.preparsePolicySet('rampart', { staticPolicies: cedarPolicies });
if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed)}`);
const cedarEntities = [
  {
    uid: { type: 'User', id: 'dev-ops' },
    attrs: {},
    parents: [
      { type: 'Group', id: 'RD' },
      { type: 'Group', id: 'OM' },
    ],
  },
  { uid: { type: 'Group', id: 'RD' }, attrs: {}, parents: [] },
  { uid: { type: 'Group', id: 'OM' }, attrs: {}, parents: [] },
];
const nowMs = Date.parse('2026-11-23T10:00:00+08:00');
const cedarCalls = requests.map((r) => ({
  principal: { type: 'User', id: 'dev-ops' },
  action: { type: 'Action', id: 'call' },
  resource: { type: 'Resource', id: 'target' },
  context: {
    action: r.action.toLowerCase(),
    resource: r.resource,
    sourceIp: { __extn: { fn: 'ip', arg: '192.0.2.44' } },
    now: nowMs,
  },
  preparsedPolicySetId: 'rampart',
  entities: cedarEntities,
}));
const cedarDecide = (call) => {
  const a = cedar.statefulIsAuthorized(call);
  if (a.type !== 'success') throw new Error(`cedar: ${JSON.stringify(a.errors)}`);
  return a.response.decision;
};
engines.push({ name: 'cedar-wasm (stateful)', decide: cedarDecide, inputs: cedarCalls });

// casbin: RBAC with groups, regex actions and ARNs, ipMatch, a time bound, deny override.
const casbin = require('casbin');
const model = casbin.newModelFromString(`
[request_definition]
r = sub, act, obj, ip, now
[policy_definition]
p = sub, act, obj, ipnet, until, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && regexMatch(r.act, p.act) && regexMatch(r.obj, p.obj) && (p.ipnet == "*" || ipMatch(r.ip, p.ipnet)) && (p.until == "0" || timeBefore(r.now, p.until))
`);
const enforcer = await casbin.newEnforcer(model);
await enforcer.addFunction('timeBefore', (a, b) => Number(a) < Number(b));
await enforcer.addPolicies([
  ['RD', '^(ecs:describe.*|rds:describe.*)$', '.*', '*', '0', 'allow'],
  [
    'RD',
    '^oss:.*$',
    '^acs:oss:[^]*:[^]*:rd-data(/.*)?$'.replaceAll('[^]', '.'),
    '192.0.2.0/24',
    '1798711200000',
    'allow',
  ],
  ['RD', '^oss:delete.*$', '.*', '*', '0', 'deny'],
  ['OM', '^(ecs:.*|rds:.*)$', '.*', '*', '0', 'allow'],
  ['HR', '^(ram:.*user|ram:listusers)$', `^acs:ram:.*:${A}:user/.*$`, '*', '0', 'allow'],
  ...UNRELATED.map((_, i) => [`G${i}`, `^svc${i}:.*$`, '.*', '*', '0', 'allow']),
]);
await enforcer.addGroupingPolicies([
  ['dev-ops', 'RD'],
  ['dev-ops', 'OM'],
  ...UNRELATED.map((_, i) => [`user-${i}`, `G${i}`]),
]);
const casbinCalls = requests.map((r) => [
  'dev-ops',
  r.action.toLowerCase(),
  r.resource,
  '192.0.2.44',
  String(nowMs),
]);
engines.push({ name: 'casbin', decide: (args) => enforcer.enforceSync(...args), inputs: casbinCalls });

// ---------------------------------------------------------------- agreement check
for (const e of engines) {
  const got = (e.inputs ?? requests).map((x) => e.decide(x));
  const allowed = got.map((g) => g === 'Allow' || g === 'allow' || g === true);
  const want = expected.map((d) => d === 'Allow');
  if (JSON.stringify(allowed) !== JSON.stringify(want))
    throw new Error(`${e.name} disagrees: ${JSON.stringify(got)}`);
}

// ---------------------------------------------------------------- run
let cpuModel = cpus()[0]?.model ?? 'unknown';
try {
  cpuModel = execSync("lscpu | sed -n 's/^Model name: *//p'", { encoding: 'utf8' }).trim() || cpuModel;
} catch {
  // lscpu is optional
}
console.log(
  `machine: ${cpuModel}, ${cpus().length} cores, node ${process.version}, cedar ${cedar.getCedarVersion()}`,
);
console.log(
  `scenario: user in R&D + O&M (2 policies, 4 statements), HR + 50 unrelated group policies also in the account;`,
);
console.log(`requests (cycled): ${requests.map((r, i) => `${r.action} -> ${expected[i]}`).join(', ')}`);
console.log(`latency: batches of ${BATCH} calls timed together, divided by ${BATCH}\n`);

const results = engines.map((e) => ({ name: e.name, ...measure(e.decide, e.inputs ?? requests) }));
const base = results[0];
console.log('engine                    decisions/s     p50        p99      throughput vs compiled');
for (const r of results) {
  const ratio = base.perSecond / r.perSecond;
  console.log(
    `${r.name.padEnd(25)} ${fmtRate(r.perSecond).padStart(11)} ${fmtNs(r.p50).padStart(10)} ${fmtNs(r.p99).padStart(10)}   ${r === base ? '1x' : `${ratio.toFixed(1)}x slower`}`,
  );
}

console.log('\nper request, compiled engine:');
requests.forEach((r, i) => {
  const m = measure((x) => evaluate(compiled, x), [r], 0.5);
  console.log(
    `  ${r.action.padEnd(22)} ${expected[i].padEnd(13)} p50 ${fmtNs(m.p50).padStart(8)}  p99 ${fmtNs(m.p99).padStart(8)}`,
  );
});

// Growth with the statements attached to the principal.
console.log('\nstatements attached to the principal (compiled p50; request matches the last statement):');
console.log('  statements   distinct actions (indexed)   same action, conditions on each (scanned)');
for (const n of [1, 10, 100, 1000]) {
  const distinct = compilePolicySet({
    identity: [
      {
        name: 'p',
        document: {
          Version: '1',
          Statement: Array.from({ length: n }, (_, i) => ({
            Effect: 'Allow',
            Action: `ecs:Action${i}`,
            Resource: `acs:ecs:*:*:instance/i-${i}`,
          })),
        },
      },
    ],
  });
  const same = compilePolicySet({
    identity: [
      {
        name: 'p',
        document: {
          Version: '1',
          Statement: Array.from({ length: n }, (_, i) => ({
            Effect: 'Allow',
            Action: 'ecs:StartInstance',
            Resource: `acs:ecs:*:*:instance/i-${i}`,
            Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
          })),
        },
      },
    ],
  });
  const rd = {
    principal,
    action: `ecs:Action${n - 1}`,
    resource: `acs:ecs:cn-hangzhou:${A}:instance/i-${n - 1}`,
    context,
  };
  const rs = {
    principal,
    action: 'ecs:StartInstance',
    resource: `acs:ecs:cn-hangzhou:${A}:instance/i-${n - 1}`,
    context,
  };
  if (evaluate(distinct, rd).decision !== 'Allow' || evaluate(same, rs).decision !== 'Allow')
    throw new Error('scaling check');
  const a = measure((x) => evaluate(distinct, x), [rd], 0.4);
  const b = measure((x) => evaluate(same, x), [rs], 0.4);
  console.log(`  ${String(n).padStart(10)}   ${fmtNs(a.p50).padStart(26)}   ${fmtNs(b.p50).padStart(40)}`);
}

// Growth with the policies in the account: only the principal's policies are compiled, so the
// decision (attachment lookup + cached compiled set + evaluate) does not depend on the rest.
console.log('\npolicies in the account (compiled p50 of lookup + evaluate for the seed user):');
for (const n of [10, 100, 1000, 10_000, 100_000]) {
  const store = new Map();
  for (let i = 0; i < n; i++)
    store.set(`team-${i}`, {
      name: `team-${i}`,
      document: { Version: '1', Statement: [{ Effect: 'Allow', Action: `svc${i % 500}:*`, Resource: '*' }] },
    });
  store.set('hr-user-admin', HR);
  store.set('rd-access', RD);
  store.set('om-compute', OM);
  const attachments = new Map([['dev-ops', ['rd-access', 'om-compute']]]);
  const cache = new Map();
  const decide = (r) => {
    let c = cache.get(r.principal.name);
    if (!c) {
      c = compilePolicySet({ identity: attachments.get(r.principal.name).map((name) => store.get(name)) });
      cache.set(r.principal.name, c);
    }
    return evaluate(c, r).decision;
  };
  const m = measure(decide, requests, 0.4);
  console.log(
    `  ${String(n).padStart(7)} policies   p50 ${fmtNs(m.p50).padStart(8)}   p99 ${fmtNs(m.p99).padStart(8)}`,
  );
}

const cedarResult = results.find((r) => r.name.startsWith('cedar'));
const ratio = base.perSecond / cedarResult.perSecond;
console.log(
  `\ntargets: compiled p50 ${fmtNs(base.p50)} (target <= 2 µs): ${base.p50 <= 2000 ? 'met' : 'MISSED'}; ${ratio.toFixed(0)}x cedar-wasm throughput (target >= 50x): ${ratio >= 50 ? 'met' : 'MISSED'}`,
);
