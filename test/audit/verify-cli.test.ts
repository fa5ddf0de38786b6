/**
 * `rampart audit verify` and `export` on a real deployment (SQLite and PostgreSQL): OK (exit 0)
 * only for a trail proven whole. An export ends with a sealed line over its chain heads, so a
 * copy cut short at a line boundary, with its heads removed or rewritten, or with a chain left
 * out, fails (exit 1); a file without that line, or a store whose newest checkpoint due is
 * missing, is unproven (exit 3), each with a message naming what cannot be proven. The other
 * audit commands check their numbers before they start.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { rampart } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import { createSealer } from '../../src/crypto/seal.js';
import { eventually, openServerStore, syntheticEvent } from './helpers.js';

describe.each(STORES)('rampart audit verify and export (%s)', (store) => {
  let s: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'rampart-verify-cli-'));
  const deployment = () => ['--data', s.dataDir, ...(s.databaseUrl ? ['--database-url', s.databaseUrl] : [])];
  const exportFile = join(dir, 'export.jsonl');
  let lines: string[] = [];

  beforeAll(async () => {
    s = await startServer({ store });
    const key = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    for (let i = 0; i < 6; i++) await v3Call(s, key, 'CreateUser', { UserName: `verify-${i}` });
    // A request naming no AccessKey: the chain of no account ('').
    await fetch(`${s.endpoint}/?Action=GetUser&Version=2015-05-01&AccessKeyId=LTAInosuch&UserName=x`);
    await eventually(async () => {
      const r = await rampart(['audit', 'export', ...deployment(), '--file', exportFile]);
      expect(r.code, r.stderr).toBe(0);
      lines = readFileSync(exportFile, 'utf8').trimEnd().split('\n');
      expect(lines.some((l) => l.startsWith('{"type":"event","accountId":""'))).toBe(true);
    });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const verifyFile = async (text: string, ...extra: string[]) => {
    const path = join(dir, `tampered-${randomBytes(4).toString('hex')}.jsonl`);
    writeFileSync(path, text);
    return rampart(['audit', 'verify', '--file', path, '--data', s.dataDir, ...extra]);
  };
  const isHead = (l: string) => l.startsWith('{"type":"head"');
  const isEnd = (l: string) => l.startsWith('{"type":"end"');
  const eventsOf = (account: string) =>
    lines.filter((l) => l.startsWith(`{"type":"event","accountId":${JSON.stringify(account)},`));

  it('an export ends with a sealed end line and verifies: OK, exit 0', async () => {
    expect(isEnd(lines.at(-1)!)).toBe(true);
    const r = await verifyFile(`${lines.join('\n')}\n`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK: \d+ event\(s\) in 2 chain\(s\), \d+ checkpoint\(s\); seals checked\n$/);
  });

  it.each([
    [
      'cut short at a line boundary, its head lines removed',
      (all: string[]) => {
        const last = eventsOf(s.accountId).slice(-2);
        return all.filter((l) => !last.includes(l) && !isHead(l));
      },
    ],
    [
      'cut short, its head rewritten to the new last event',
      (all: string[]) => {
        const mine = eventsOf(s.accountId);
        const cut = mine.at(-1)!;
        const newLast = JSON.parse(mine.at(-2)!) as { seq: number; hash: string };
        return all
          .filter((l) => l !== cut)
          .map((l) =>
            isHead(l) && (JSON.parse(l) as { accountId: string }).accountId === s.accountId
              ? JSON.stringify({ type: 'head', accountId: s.accountId, seq: newLast.seq, hash: newLast.hash })
              : l,
          );
      },
    ],
    [
      'with the chain of one account left out',
      (all: string[]) => all.filter((l) => !l.includes('"accountId":""')),
    ],
  ])('an export %s: FAILED, exit 1, the end line named', async (_, tamper) => {
    const r = await verifyFile(`${tamper(lines).join('\n')}\n`);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: /);
    expect(r.stdout).toMatch(
      / {2}file: the export's end line seals 2 chain head\(s\) and the file holds \d that do not match it/,
    );
  });

  it('an end line whose seal was altered is refused with the master key: exit 1', async () => {
    const end = JSON.parse(lines.at(-1)!) as { seal: string };
    const seal = end.seal.slice(0, -8) + (end.seal.slice(-8) === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');
    const forged = { ...end, seal };
    const r = await verifyFile(`${[...lines.slice(0, -1), JSON.stringify(forged)].join('\n')}\n`);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(
      "file: the export's end line is not sealed under the master key (forged or altered)",
    );
  });

  it('a file without its end line is unproven: exit 3, unless it is a sink file and said so', async () => {
    const noEnd = await verifyFile(`${lines.filter((l) => !isEnd(l)).join('\n')}\n`);
    expect(noEnd.code, noEnd.stdout + noEnd.stderr).toBe(3);
    expect(noEnd.stdout).toMatch(/^UNPROVEN: /);
    expect(noEnd.stdout).toContain(
      'unproven: file: cannot prove the file holds every chain to its end: it has head lines but no sealed end line',
    );
    // Cut short, and stripped of its heads and end line to pass as a sink's file.
    const last = eventsOf(s.accountId).at(-1)!;
    const stripped = `${lines.filter((l) => !isEnd(l) && !isHead(l) && l !== last).join('\n')}\n`;
    const asExport = await verifyFile(stripped);
    expect(asExport.code).toBe(3);
    expect(asExport.stdout).toContain('a file of the JSON Lines sink has none: verify it with --sink');
    // The operator says it is a sink's file: its chains verify, its end is not asked for.
    expect((await verifyFile(stripped, '--sink')).code).toBe(0);
  });

  it('an empty file, a null line and a byte order mark', async () => {
    for (const text of ['', '\n', '\uFEFF\n']) {
      const r = await verifyFile(text);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^rampart audit verify: .* holds no audit lines\n$/);
    }
    const nullLine = await verifyFile('null\n');
    expect(nullLine.code).toBe(1);
    expect(nullLine.stderr).toContain('line 1: not a JSON object');
    expect((await verifyFile(`\uFEFF${lines.join('\n')}\n`)).code).toBe(0);
  });

  it('a store whose newest checkpoint due is missing is unproven: exit 3, naming the events not covered', async () => {
    const db = await openServerStore(s);
    const account = '7000000000000001';
    const at = new Date();
    try {
      const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
      const events = Array.from({ length: 130 }, (_, i) =>
        eventText({ accountId: account, event: syntheticEvent(`Op${i}`, at) }),
      );
      await db.transaction((tx) => appendEvents(tx, db, sealer, events, at));
      await db.db.deleteFrom('audit_checkpoints').where('account_id', '=', account).execute();
    } finally {
      await db.close();
    }
    const r = await rampart(['audit', 'verify', ...deployment(), '--account', account]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^UNPROVEN: 130 event\(s\) in 1 chain\(s\)/);
    expect(r.stdout).toContain(
      `unproven: account ${account}: cannot prove seq 1..130 unchanged: no checkpoint for seq 100..130`,
    );
    const json = await rampart(['audit', 'verify', ...deployment(), '--account', account, '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, status: 'unproven', findings: [] });
  });

  it('retention days and lookup numbers are checked before anything starts', async () => {
    for (const days of ['1e3', '0x10', ' 7', '7.0', '36501']) {
      const r = await rampart([
        'audit',
        'retention',
        ...deployment(),
        '--account',
        s.accountId,
        '--days',
        days,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'rampart audit retention: --days must be a whole number of days from 1 to 36500, or default\n',
      );
    }
    const key = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    expect((await v3Call(s, key, 'SetAccountAlias', { AccountAlias: 'verify-cli-alias' })).status).toBe(200);
    const byAlias = await rampart([
      'audit',
      'retention',
      ...deployment(),
      '--account',
      'verify-cli-alias',
      '--days',
      '30',
    ]);
    expect(byAlias.code, byAlias.stderr).toBe(0);
    expect(byAlias.stdout).toBe(`account ${s.accountId}: audit retention 30 day(s)\n`);
    for (const [flag, value, message] of [
      ['--max', '0', '--max must be a whole number from 1 to 50: 0'],
      ['--max', '51', '--max must be a whole number from 1 to 50: 51'],
      ['--direction', 'sideways', '--direction must be BACKWARD or FORWARD: sideways'],
    ] as const) {
      const r = await rampart(['audit', 'lookup', flag, value]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`rampart audit lookup: ${message}\n`);
    }
  });
});
