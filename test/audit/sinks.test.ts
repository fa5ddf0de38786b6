/**
 * The export sinks on a real server process: the webhook sink delivers every event after an
 * outage of its receiver that spans a restart of Rampart (none missing, by eventId), and the
 * JSON Lines file sink rotates and verifies. Neither the sinks nor the spool hold a secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STORES, STRONG_PASSWORD } from '../compat/ram-helpers.js';
import { BIN, startServer, type TestServer } from '../helpers/server.js';
import { rampart } from '../helpers/cli.js';
import { v3Call } from '../server/http.js';
import { eventually, openServerStore } from './helpers.js';

interface Receiver {
  readonly received: string[];
  readonly bodies: string[];
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

function listen(port: number): Promise<Receiver & { port: number }> {
  const received: string[] = [];
  const bodies: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      bodies.push(text);
      authorizations.push(req.headers.authorization);
      for (const e of (JSON.parse(text) as { events: { eventId: string }[] }).events)
        received.push(e.eventId);
      res.writeHead(200).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        received,
        bodies,
        authorizations,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      }),
    );
  });
}

function serve(server: TestServer, env: Record<string, string>): Promise<ChildProcess> {
  const args = [BIN, 'serve', '--data', server.dataDir, '--host', '127.0.0.1', '--port', String(server.port)];
  if (server.databaseUrl) args.push('--database-url', server.databaseUrl);
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.RAMPART_MASTER_KEY;
  delete e.RAMPART_DATABASE_URL;
  const child = spawn(process.execPath, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no restart in 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  });
}

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

describe.each(STORES)('audit export sinks (%s)', (store) => {
  let server: TestServer | undefined;
  let restarted: ChildProcess | undefined;
  let receiver: Receiver | undefined;
  const sinkDir = mkdtempSync(join(tmpdir(), 'rampart-sink-'));
  afterAll(async () => {
    if (restarted) await stopChild(restarted);
    await receiver?.close();
    await server?.stop();
    rmSync(sinkDir, { recursive: true, force: true });
  });

  it('delivers every event exactly once by eventId after a receiver outage spanning a restart', async () => {
    const first = await listen(0);
    receiver = first;
    const env = {
      RAMPART_AUDIT_WEBHOOK_URL: `http://127.0.0.1:${first.port}/events`,
      RAMPART_AUDIT_WEBHOOK_TOKEN: 'receiver-token-1234',
      RAMPART_AUDIT_WEBHOOK_BATCH: '7',
      RAMPART_AUDIT_SINK_POLL_MS: '100',
      RAMPART_AUDIT_SINK_MAX_BACKOFF_MS: '400',
      RAMPART_AUDIT_FILE: join(sinkDir, 'audit.jsonl'),
      RAMPART_AUDIT_FILE_MAX_BYTES: '20000',
    };
    server = await startServer({ store, env });
    const s = server;
    const key = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const secrets = [
      s.rootAccessKeySecret,
      STRONG_PASSWORD,
      'receiver-token-1234',
      'PwPasswdEEE#5555',
      'PwPwdFFF#6666',
    ];
    const calls = async (tag: string, endpoint = s) => {
      for (let i = 0; i < 5; i++) {
        const name = `${tag}-${i}`;
        expect((await v3Call(endpoint, key, 'CreateUser', { UserName: name })).status).toBe(200);
        expect(
          (await v3Call(endpoint, key, 'CreateLoginProfile', { UserName: name, Password: STRONG_PASSWORD }))
            .status,
        ).toBe(200);
        // Other spellings of a password, which the action does not take, are redacted by name too.
        await v3Call(endpoint, key, 'GetLoginProfile', {
          UserName: name,
          Passwd: 'PwPasswdEEE#5555',
          Pwd: 'PwPwdFFF#6666',
        });
        const k = await v3Call(endpoint, key, 'CreateAccessKey', { UserName: name });
        secrets.push(k.json().AccessKey.AccessKeySecret as string);
        await v3Call(endpoint, key, 'GetUser', { UserName: name });
      }
    };
    await calls('before');
    await eventually(async () => expect(first.received.length).toBeGreaterThanOrEqual(20));
    expect(first.authorizations.every((a) => a === 'Bearer receiver-token-1234')).toBe(true);

    // The receiver goes down; events keep coming, Rampart restarts, more events.
    await first.close();
    await calls('outage-1');
    await new Promise((r) => setTimeout(r, 1000));
    await stopChild(s.process);
    restarted = await serve(s, env);
    await calls('outage-2');
    await new Promise((r) => setTimeout(r, 1000));

    // The receiver is back on the same port: everything arrives.
    const second = await listen(first.port);
    receiver = second;
    const db = await openServerStore(s);
    let storedBodies: string[] = [];
    try {
      const all = async () =>
        new Set((await db.db.selectFrom('audit_events').select('event_id').execute()).map((r) => r.event_id));
      await eventually(async () => {
        const got = new Set([...first.received, ...second.received]);
        const missing = [...(await all())].filter((id) => !got.has(id));
        expect(missing).toEqual([]);
      }, 15_000);
      const got = new Set([...first.received, ...second.received]);
      // Nothing the store does not hold (duplicates, if any, carry the same eventId).
      const stored = await all();
      expect([...got].filter((id) => !stored.has(id))).toEqual([]);
      storedBodies = (await db.db.selectFrom('audit_events').select('body').execute()).map((r) => r.body);
    } finally {
      await db.close();
    }

    // No secret in the store, in what the receiver got, in the file sink, or in the spool.
    await new Promise((r) => setTimeout(r, 500));
    const texts = [...storedBodies, ...first.bodies, ...second.bodies];
    for (const f of readdirSync(sinkDir)) texts.push(readFileSync(join(sinkDir, f), 'utf8'));
    const spoolDir = join(s.dataDir, 'audit-sinks');
    for (const f of readdirSync(spoolDir, { recursive: true }) as string[]) {
      try {
        texts.push(readFileSync(join(spoolDir, f), 'utf8'));
      } catch {
        // a directory
      }
    }
    const all = texts.join('\n');
    expect(all).toContain('CreateLoginProfile');
    for (const secret of secrets) expect(all).not.toContain(secret);

    // The file sink rotated, and its files, oldest first, verify as one chain.
    const files = readdirSync(sinkDir).filter((f) => f.startsWith('audit.jsonl'));
    expect(files.length).toBeGreaterThan(1);
    const ordered = files.sort(
      (a, b) => (Number(b.split('.')[2] ?? 0) || 0) - (Number(a.split('.')[2] ?? 0) || 0),
    );
    const joined = join(sinkDir, 'joined.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(joined, ordered.map((f) => readFileSync(join(sinkDir, f), 'utf8')).join(''));
    const verify = await rampart(['audit', 'verify', '--file', joined, '--sink', '--json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  }, 90_000);
});
