/**
 * `rampart audit ...` against a real server process: lookup through the API (table and JSON
 * Lines), verify of the store and of an exported file (tampering named), export, retention,
 * and checkpoints that stay verifiable across a master key rotation (SQLite).
 */
import { chmodSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedKeyId } from '../../src/crypto/seal.js';
import { openDeployment } from '../../src/server.js';
import { CHECKPOINT_EVERY } from '../../src/audit/chain.js';
import { rampart, rampartJson, tempDir } from '../helpers/cli.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';
import { eventually } from '../audit/helpers.js';

describe('rampart audit', () => {
  let server: TestServer;
  const scratch = tempDir('rampart-audit-cli-');
  let apiEnv: Record<string, string>;

  beforeAll(async () => {
    server = await startServer();
    const key = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    // Enough events for a checkpoint or two.
    for (let i = 0; i < CHECKPOINT_EVERY + 10; i++) {
      const r = await v3Call(
        server,
        key,
        i % 10 === 0 ? 'CreateUser' : 'GetAccountAlias',
        i % 10 === 0 ? { UserName: `cli-${i}` } : {},
      );
      expect(r.status).toBe(200);
    }
    apiEnv = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: server.rootAccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: server.rootAccessKeySecret,
      RAMPART_ENDPOINT: server.host,
    };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    scratch.remove();
  });

  it('looks events up through the API, as a table or JSON Lines, every page', async () => {
    const lines = await eventually(async () => {
      const r = await rampart(
        ['audit', 'lookup', '--attribute', 'EventName=CreateUser', '--output', 'jsonl', '--max', '3'],
        apiEnv,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { eventName: string; requestParameters: { UserName: string } });
      expect(out.length).toBe(11);
      return out;
    });
    expect(lines.every((e) => e.eventName === 'CreateUser')).toBe(true);
    // Newest first, across pages of 3.
    expect(lines[0]!.requestParameters.UserName).toBe(`cli-${CHECKPOINT_EVERY}`);
    const table = await rampart(
      ['audit', 'lookup', '--attribute', 'EventName=CreateUser', '--limit', '2'],
      apiEnv,
    );
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TIME\s+EVENT\s+RW\s+USER/);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/CreateUser\s+Write\s+root\s+/);
    // A bad filter is the API's error, exit 1.
    const bad = await rampart(['audit', 'lookup', '--attribute', 'Nope=x'], apiEnv);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('InvalidParameter');
    // A --limit that is not a count of events is refused before any call, exit 2.
    for (const limit of ['0', '-1', 'abc', '2.5', '']) {
      const r = await rampart(['audit', 'lookup', '--limit', limit], apiEnv);
      expect([limit, r.code, r.stdout]).toEqual([limit, 2, '']);
      expect(r.stderr).toContain('--limit must be a whole number of events, at least 1');
    }
  });

  it('verifies the store, exports a file that verifies, and names a tampered event in it', async () => {
    const args = ['--data', server.dataDir];
    const live = await rampartJson<{
      ok: boolean;
      sealsChecked: boolean;
      checkpoints: number;
      events: number;
    }>(['audit', 'verify', ...args]);
    expect(live).toMatchObject({ ok: true, sealsChecked: true });
    expect(live.checkpoints).toBeGreaterThanOrEqual(1);
    const file = join(scratch.dir, 'trail.jsonl');
    const exported = await rampartJson<{ events: number }>(['audit', 'export', ...args, '--file', file]);
    expect(exported.events).toBeGreaterThan(CHECKPOINT_EVERY);
    expect(
      await rampartJson<{ ok: boolean; sealsChecked: boolean }>(['audit', 'verify', '--file', file, ...args]),
    ).toMatchObject({ ok: true, sealsChecked: true });
    expect(
      await rampartJson<{ ok: boolean; sealsChecked: boolean }>(['audit', 'verify', '--file', file]),
    ).toMatchObject({ ok: true, sealsChecked: false });

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const i = lines.findIndex((l) => l.includes('"cli-50"'));
    const victim = JSON.parse(lines[i]!) as { seq: number; event: { eventId: string } };
    lines[i] = lines[i]!.replace('"cli-50"', '"cli-55"');
    const tampered = join(scratch.dir, 'tampered.jsonl');
    writeFileSync(tampered, `${lines.join('\n')}\n`);
    const r = await rampart(['audit', 'verify', '--file', tampered]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED');
    expect(r.stdout).toContain(`event ${victim.event.eventId} at seq ${victim.seq} was changed`);

    // An account with no chain that does not exist (a mistyped id) is an error, not "OK: 0 events".
    const nobody = await rampart(['audit', 'verify', ...args, '--account', '9999999999999999']);
    expect([nobody.code, nobody.stdout]).toEqual([2, '']);
    expect(nobody.stderr).toContain('no such account: 9999999999999999');
    const notInFile = await rampart(['audit', 'verify', '--file', file, '--account', '9999999999999999']);
    expect([notInFile.code, notInFile.stdout]).toEqual([2, '']);
    expect(notInFile.stderr).toContain(`${file} holds no audit events of account 9999999999999999`);
    // The account's own chain verifies alone.
    expect(
      await rampartJson<{ ok: boolean }>(['audit', 'verify', ...args, '--account', server.accountId]),
    ).toMatchObject({ ok: true });
  });

  it('exports to a new file of mode 0600, replacing a file or symbolic link there, never writing through it', async () => {
    const args = ['--data', server.dataDir];
    // A file already there (readable by all): replaced by a new file, not rewritten in place.
    const file = join(scratch.dir, 'again.jsonl');
    writeFileSync(file, 'precious\n');
    chmodSync(file, 0o644);
    const before = lstatSync(file).ino;
    expect((await rampart(['audit', 'export', ...args, '--file', file])).code).toBe(0);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(lstatSync(file).ino).not.toBe(before);
    expect(readFileSync(file, 'utf8')).toContain('"type":"event"');
    // A symbolic link there, to a file and dangling: the link is replaced, its target untouched.
    const target = join(scratch.dir, 'target.txt');
    writeFileSync(target, 'precious\n');
    chmodSync(target, 0o644);
    const dangling = join(scratch.dir, 'nowhere.txt');
    for (const [link, to] of [
      [join(scratch.dir, 'link.jsonl'), target],
      [join(scratch.dir, 'dangling.jsonl'), dangling],
    ] as const) {
      symlinkSync(to, link);
      const r = await rampart(['audit', 'export', ...args, '--file', link]);
      expect(r.code, r.stderr).toBe(0);
      const st = lstatSync(link);
      expect([st.isFile(), st.mode & 0o777]).toEqual([true, 0o600]);
    }
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(dangling, { throwIfNoEntry: false })).toBeUndefined();
    // No directory: refused before the store is opened.
    const none = await rampart(['audit', 'export', ...args, '--file', join(scratch.dir, 'no', 'f.jsonl')]);
    expect([none.code, none.stderr.trim()]).toEqual([
      2,
      `rampart audit export: cannot write ${join(scratch.dir, 'no', 'f.jsonl')}: no directory ${join(scratch.dir, 'no')}`,
    ]);
  });

  it('sets an account retention, and refuses a bad one', async () => {
    const args = ['--data', server.dataDir];
    const ok = await rampart(['audit', 'retention', ...args, '--account', server.accountId, '--days', '30']);
    expect(ok.code, ok.stderr).toBe(0);
    const d = await openDeployment({ dataDir: server.dataDir, audit: false });
    try {
      const row = await d.store.db
        .selectFrom('audit_chains')
        .select('retention_days')
        .where('account_id', '=', server.accountId)
        .executeTakeFirst();
      expect(row?.retention_days).toBe(30);
    } finally {
      await d.close();
    }
    expect(
      (await rampart(['audit', 'retention', ...args, '--account', server.accountId, '--days', '0'])).code,
    ).toBe(2);
    expect(
      (await rampart(['audit', 'retention', ...args, '--account', '1111222233334444', '--days', '5'])).code,
    ).toBe(2);
  });

  it('keeps checkpoints verifiable after a master key rotation (their seals are re-sealed)', async () => {
    const args = ['--data', server.dataDir];
    const r = await rampartJson<{ Status: string; CurrentKeyId: string }>(['keys', 'rotate', ...args]);
    expect(r.Status).toBe('rotated');
    const d = await openDeployment({ dataDir: server.dataDir, audit: false });
    try {
      const seals = await d.store.db.selectFrom('audit_checkpoints').select('seal').execute();
      expect(seals.length).toBeGreaterThan(0);
      for (const s of seals) expect(sealedKeyId(s.seal)).toBe(r.CurrentKeyId);
    } finally {
      await d.close();
    }
    expect(await rampartJson(['audit', 'verify', ...args])).toMatchObject({ ok: true, sealsChecked: true });
  });
});
