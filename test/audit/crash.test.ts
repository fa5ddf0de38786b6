/**
 * kill -9 under write load: every write the server acknowledged has its event after the
 * restart, and the chains verify. A real server process, SQLite and PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { BIN, startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from '../server/http.js';
import { openServerStore } from './helpers.js';
import { rampart } from '../helpers/cli.js';

function serve(server: TestServer): Promise<{ child: ChildProcess; endpoint: string; host: string }> {
  const args = [BIN, 'serve', '--data', server.dataDir, '--host', '127.0.0.1', '--port', '0'];
  if (server.databaseUrl) args.push('--database-url', server.databaseUrl);
  const env = { ...process.env };
  delete env.RAMPART_MASTER_KEY;
  delete env.RAMPART_DATABASE_URL;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no restart in 20 s:\n${out}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, endpoint: `http://127.0.0.1:${m[1]}`, host: `127.0.0.1:${m[1]}` });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  });
}

describe.each(STORES)('kill -9 under write load (%s)', (store) => {
  let server: TestServer | undefined;
  let restarted: ChildProcess | undefined;
  afterAll(async () => {
    restarted?.kill('SIGKILL');
    await server?.stop();
  });

  it('keeps the event of every acknowledged write, and the chain verifies', async () => {
    server = await startServer({ store });
    const s = server;
    const key = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const acknowledged: { requestId: string; userName: string }[] = [];
    let stop = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const userName = `crash-${w}-${n++}`;
        try {
          const r = await v3Call(s, key, 'CreateUser', { UserName: userName });
          if (r.status === 200) acknowledged.push({ requestId: r.json().RequestId as string, userName });
          // Reads between the writes (buffered events, which a crash may lose).
          await v3Call(s, key, 'GetUser', { UserName: userName });
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = [0, 1, 2, 3, 4, 5].map(worker);
    await new Promise((r) => setTimeout(r, 1500));
    s.process.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await new Promise<void>((resolve) =>
      s.process.exitCode !== null || s.process.signalCode !== null
        ? resolve()
        : s.process.once('exit', () => resolve()),
    );
    expect(acknowledged.length).toBeGreaterThan(20);

    const again = await serve(s);
    restarted = again.child;
    const db = await openServerStore(s);
    try {
      const ids = new Set(
        (
          await db.db
            .selectFrom('audit_events')
            .select('event_id')
            .where('event_name', '=', 'CreateUser')
            .execute()
        ).map((r) => r.event_id),
      );
      const missing = acknowledged.filter((a) => !ids.has(a.requestId));
      expect(missing).toEqual([]);
      // And the change itself is there.
      const users = new Set(
        (await db.db.selectFrom('users').select('user_name').execute()).map((u) => u.user_name),
      );
      expect(acknowledged.filter((a) => !users.has(a.userName))).toEqual([]);
    } finally {
      await db.close();
    }
    const verify = await rampart([
      'audit',
      'verify',
      '--data',
      s.dataDir,
      ...(s.databaseUrl ? ['--database-url', s.databaseUrl] : []),
      '--json',
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, sealsChecked: true });
    // The restarted server answers and records.
    const after = await v3Call(again, key, 'GetUser', { UserName: acknowledged[0]!.userName });
    expect(after.status).toBe(200);
  }, 60_000);
});
