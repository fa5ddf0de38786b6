// STS benchmark, against a real `rampart serve` process driven by wrk (requests signed ahead
// of time, unique nonces), all in one run:
//   - a signed GetUser made with temporary credentials (a role session) beside the same call
//     made with a RAM user's AccessKey (same policy): the cost ratio (target: at most 1.2x);
//   - AssumeRole per second;
//   - decoding a security token, cold and warm (in process).
//
//   node bench/sts/run.js [--seconds 8] [--connections 64]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTokenReader, issueCredentials } from '../../dist/auth/sts-token.js';
import { createSealer } from '../../dist/crypto/seal.js';
import { BIN, call, haveWrk, presign, startRampart, stop, wrkRun } from '../http/wrk.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 64);
const STS = '2015-04-01';

const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

function tokenDecoding() {
  const sealer = createSealer([{ id: 'k1', key: new Uint8Array(32).fill(7) }]);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = [];
  for (let i = 0; i < 2000; i++) {
    const c = issueCredentials(sealer, {
      kind: 'role',
      acct: '1234567890123456',
      rid: '300000000000000001',
      rn: 'bench-role',
      sn: `s${i}`,
      iat: exp - 3600,
      exp,
      mfa: false,
      by: 'acs:ram::1234567890123456:root',
    });
    tokens.push([c.securityToken, c.accessKeyId]);
  }
  const reader = createTokenReader(sealer);
  const now = new Date();
  let t0 = performance.now();
  for (const [t, ak] of tokens) if (!reader.check(t, ak, now).ok) throw new Error('token refused');
  const cold = ((performance.now() - t0) * 1000) / tokens.length;
  const rounds = 50;
  t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const [t, ak] of tokens) reader.check(t, ak, now);
  const warm = ((performance.now() - t0) * 1000) / (tokens.length * rounds);
  console.log(
    `\nsecurity token decoding (in process, ${tokens.length} tokens): cold ${f2(cold)} us, warm ${f2(warm)} us`,
  );
}

async function main() {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  tokenDecoding();
  if (!haveWrk()) {
    console.log('\nwrk is not installed (Debian: apt-get install wrk): skipping the HTTP comparison.');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-sts-'));
  const dataDir = join(dir, 'data');
  let server;
  try {
    const init = JSON.parse(
      execFileSync(process.execPath, [BIN, 'init', '--data', dataDir, '--json', '--root-access-key'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const rootKey = { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
    server = await startRampart(dataDir);
    // A RAM user and a role with the same policy; the user may assume the role.
    await call(server, rootKey, 'CreateUser', { UserName: 'bench-reader' });
    for (const p of ['AliyunRAMReadOnlyAccess', 'AliyunSTSAssumeRoleAccess']) {
      await call(server, rootKey, 'AttachPolicyToUser', {
        UserName: 'bench-reader',
        PolicyName: p,
        PolicyType: 'System',
      });
    }
    const k = (await call(server, rootKey, 'CreateAccessKey', { UserName: 'bench-reader' })).AccessKey;
    const userKey = { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${init.AccountId}:root`] },
        },
      ],
    };
    const role = (
      await call(server, rootKey, 'CreateRole', {
        RoleName: 'bench-role',
        AssumeRolePolicyDocument: JSON.stringify(trust),
      })
    ).Role;
    await call(server, rootKey, 'AttachPolicyToRole', {
      RoleName: 'bench-role',
      PolicyName: 'AliyunRAMReadOnlyAccess',
      PolicyType: 'System',
    });
    const assumed = await call(
      server,
      userKey,
      'AssumeRole',
      { RoleArn: role.Arn, RoleSessionName: 'bench' },
      STS,
    );
    const sessionKey = {
      accessKeyId: assumed.Credentials.AccessKeyId,
      accessKeySecret: assumed.Credentials.AccessKeySecret,
      securityToken: assumed.Credentials.SecurityToken,
    };
    const getUser = (key) => (file, n) =>
      presign(file, n, server, key, 'GetUser', { UserName: 'bench-reader' });

    console.log(
      `\nGetUser (V3, pre-signed, unique nonces), AccessKey vs temporary credentials with the same policy; wrk -t2 -c${CONNECTIONS}; best of 2 x ${SECONDS / 2} s each`,
    );
    wrkRun(server, dir, 2, CONNECTIONS, getUser(userKey)); // warm-up
    wrkRun(server, dir, 2, CONNECTIONS, getUser(sessionKey));
    const best = (a, b) => (a.rps >= b.rps ? a : b);
    let ak = wrkRun(server, dir, SECONDS / 2, CONNECTIONS, getUser(userKey));
    let st = wrkRun(server, dir, SECONDS / 2, CONNECTIONS, getUser(sessionKey));
    ak = best(ak, wrkRun(server, dir, SECONDS / 2, CONNECTIONS, getUser(userKey)));
    st = best(st, wrkRun(server, dir, SECONDS / 2, CONNECTIONS, getUser(sessionKey)));
    const assume = wrkRun(
      server,
      dir,
      SECONDS / 2,
      CONNECTIONS,
      (file, n) =>
        presign(file, n, server, userKey, 'AssumeRole', { RoleArn: role.Arn, RoleSessionName: 'bench' }, STS),
      5_000,
    );
    const row = (label, x) =>
      console.log(
        `  ${label.padEnd(34)} ${f1(x.rps).padStart(9)} ${f2(x.p50).padStart(8)} ${f2(x.p99).padStart(8)} ${f1(x.cpuUsPerRequest).padStart(10)} ${String(x.errors).padStart(8)}`,
      );
    console.log('  request                                req/s   p50 ms   p99 ms  CPU us/req   non-2xx');
    row('GetUser with an AccessKey', ak);
    row('GetUser with STS credentials', st);
    row('AssumeRole (RAM user, trust policy)', assume);
    console.log(
      `  cost of STS credentials vs an AccessKey: ${f2(ak.rps / st.rps)}x by requests/s, ${f2(st.cpuUsPerRequest / ak.cpuUsPerRequest)}x by server CPU per request (target <= 1.2x)`,
    );
  } finally {
    if (server) await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
