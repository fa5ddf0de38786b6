// Resource Directory benchmark, against a real `rampart serve` process driven by wrk (requests
// signed ahead of time, unique nonces), all in one run: a signed GetUser by a RAM user with the
// same policy in
//   - an account outside any directory (the first account of a second deployment, served by its
//     own process on the same machine: a member the directory created never leaves it),
//   - a member three folders deep with control policies enabled (FullAliyunAccess at every
//     level and a Deny guardrail at Root),
//   - the management account (exempt from control policies).
// The compiled policy set (control levels included) is cached per principal and keyed on the
// account's permissions version, so the figures should match.
//
//   node bench/resource-directory/run.js [--seconds 8] [--connections 64]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, call, haveWrk, presign, startRampart, stop, wrkRun } from '../http/wrk.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 64);
const RM = '2020-03-31';
const STS = '2015-04-01';
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

/** A RAM user `bench-reader` with read-only RAM access and an AccessKey, made with `key`. */
async function reader(server, key) {
  await call(server, key, 'CreateUser', { UserName: 'bench-reader' });
  await call(server, key, 'AttachPolicyToUser', {
    UserName: 'bench-reader',
    PolicyName: 'AliyunRAMReadOnlyAccess',
    PolicyType: 'System',
  });
  const k = (await call(server, key, 'CreateAccessKey', { UserName: 'bench-reader' })).AccessKey;
  return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret };
}

/** The keys of a session on the member's access role, for the management root. */
async function intoMember(server, rootKey, memberId) {
  const s = await call(
    server,
    rootKey,
    'AssumeRole',
    { RoleArn: `acs:ram::${memberId}:role/ResourceDirectoryAccountAccessRole`, RoleSessionName: 'bench' },
    STS,
  );
  return {
    accessKeyId: s.Credentials.AccessKeyId,
    accessKeySecret: s.Credentials.AccessKeySecret,
    securityToken: s.Credentials.SecurityToken,
  };
}

async function main() {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  if (!haveWrk()) {
    console.log('\nwrk is not installed (Debian: apt-get install wrk): skipping.');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-rd-'));
  const dataDir = join(dir, 'data');
  const outsideDir = join(dir, 'outside');
  let server;
  let outsideServer;
  try {
    const initOf = (data) => {
      const init = JSON.parse(
        execFileSync(process.execPath, [BIN, 'init', '--data', data, '--json', '--root-access-key'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      );
      return { accessKeyId: init.AccessKeyId, accessKeySecret: init.AccessKeySecret };
    };
    const rootKey = initOf(dataDir);
    const outsideRootKey = initOf(outsideDir);
    server = await startRampart(dataDir);
    outsideServer = await startRampart(outsideDir);
    const dirInfo = (
      await call(server, rootKey, 'EnableResourceDirectory', { EnableMode: 'CurrentAccount' }, RM)
    ).ResourceDirectory;
    let parent = dirInfo.RootFolderId;
    for (const name of ['Workloads', 'Prod', 'Payments']) {
      parent = (await call(server, rootKey, 'CreateFolder', { FolderName: name, ParentFolderId: parent }, RM))
        .Folder.FolderId;
    }
    const member = (
      await call(
        server,
        rootKey,
        'CreateResourceAccount',
        { DisplayName: 'member', ParentFolderId: parent },
        RM,
      )
    ).Account.AccountId;
    const memberKey = await reader(server, await intoMember(server, rootKey, member));
    const outsideKey = await reader(outsideServer, outsideRootKey);
    const masterKey = await reader(server, rootKey);
    await call(server, rootKey, 'EnableControlPolicy', {}, RM);
    const guard = (
      await call(
        server,
        rootKey,
        'CreateControlPolicy',
        {
          PolicyName: 'Guardrail',
          EffectScope: 'RAM',
          PolicyDocument: JSON.stringify({
            Version: '1',
            Statement: [
              { Effect: 'Deny', Action: ['actiontrail:DeleteTrail', 'ram:UnbindMFADevice'], Resource: '*' },
            ],
          }),
        },
        RM,
      )
    ).ControlPolicy.PolicyId;
    await call(
      server,
      rootKey,
      'AttachControlPolicy',
      { PolicyId: guard, TargetId: dirInfo.RootFolderId },
      RM,
    );

    const getUser = (on, key) => (file, n) =>
      presign(file, n, on, key, 'GetUser', { UserName: 'bench-reader' });
    console.log(
      `\nGetUser (V3, pre-signed, unique nonces) by a RAM user with the same policy; wrk -t2 -c${CONNECTIONS}; best of 2 x ${SECONDS / 2} s each`,
    );
    const callers = {
      outside: [outsideServer, outsideKey],
      member: [server, memberKey],
      master: [server, masterKey],
    };
    for (const [on, k] of Object.values(callers)) wrkRun(on, dir, 2, CONNECTIONS, getUser(on, k)); // warm-up
    const best = (a, b) => (a.rps >= b.rps ? a : b);
    const runs = { outside: undefined, member: undefined, master: undefined };
    for (let round = 0; round < 2; round++) {
      for (const name of Object.keys(runs)) {
        const [on, k] = callers[name];
        const r = wrkRun(on, dir, SECONDS / 2, CONNECTIONS, getUser(on, k));
        runs[name] = runs[name] ? best(runs[name], r) : r;
      }
    }
    const row = (label, x) =>
      console.log(
        `  ${label.padEnd(46)} ${f1(x.rps).padStart(9)} ${f2(x.p50).padStart(8)} ${f2(x.p99).padStart(8)} ${f1(x.cpuUsPerRequest).padStart(10)} ${String(x.errors).padStart(8)}`,
      );
    console.log(
      '  account of the caller                              req/s   p50 ms   p99 ms  CPU us/req   non-2xx',
    );
    row('outside any directory', runs.outside);
    row('member, 3 folders deep, control policies on', runs.member);
    row('management account (exempt)', runs.master);
    console.log(
      `  member vs outside: ${f2(runs.outside.rps / runs.member.rps)}x by requests/s, ${f2(runs.member.cpuUsPerRequest / runs.outside.cpuUsPerRequest)}x by server CPU per request`,
    );
  } finally {
    if (server) await stop(server.child);
    if (outsideServer) await stop(outsideServer.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
