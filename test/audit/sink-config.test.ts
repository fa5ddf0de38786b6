/**
 * Sinks that could never run are refused at start, before the server listens: a JSON Lines
 * file that is a directory, in a directory that does not exist, or that cannot be written, and
 * a webhook token that cannot be sent (never shown in the message). The webhook sink's log says
 * each way its receiver fails, also after some batches got through.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import { checkAuditSinks, startAuditSinks } from '../../src/audit/sinks/index.js';
import { createWebhookSink } from '../../src/audit/sinks/webhook-sink.js';
import { ConfigError } from '../../src/config.js';
import { createSealer } from '../../src/crypto/seal.js';
import type { Store } from '../../src/store/index.js';
import { rampart } from '../helpers/cli.js';
import { backends } from '../domain/harness.js';
import { eventually, syntheticEvent } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-sink-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (path: string) => ({ file: { path, maxBytes: 1000, keep: 2 } });

describe('audit sinks refused at start', () => {
  it.each([
    ['a directory', () => dir, /^RAMPART_AUDIT_FILE=.*: is a directory; name a file in it/],
    ['in a directory that does not exist', () => join(dir, 'no', 'such', 'trail.jsonl'), /: no directory /],
    ['not a regular file', () => '/dev/null', /: is not a regular file/],
    ['in a directory that cannot hold it', () => '/proc/rampart-trail.jsonl', /: cannot be written \(/],
  ])('RAMPART_AUDIT_FILE %s', (_, path, message) => {
    const p = path();
    expect(() => checkAuditSinks(file(p))).toThrow(ConfigError);
    expect(() => checkAuditSinks(file(p))).toThrow(message);
  });

  it('accepts a file that can be written (created empty) and a plain token', () => {
    expect(() =>
      checkAuditSinks({
        ...file(join(dir, 'trail.jsonl')),
        webhook: { url: 'https://receiver.example/in', token: 'abc.DEF-123_~+/=', batch: 10 },
      }),
    ).not.toThrow();
  });

  it.each([
    ['a newline', 'TOK\nSECRET789'],
    ['a space', 'TOK SECRET789'],
    ['a character outside ASCII', 'TOKSECRET789é'],
  ])('refuses a webhook token with %s, without showing it', (_, token) => {
    const config = { webhook: { url: 'https://receiver.example/in', token, batch: 10 } };
    let err: unknown;
    try {
      checkAuditSinks(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^RAMPART_AUDIT_WEBHOOK_TOKEN must be printable ASCII/);
    expect((err as Error).message).not.toContain('SECRET789');
    expect(() =>
      createWebhookSink({} as Store, { url: config.webhook.url, token, spoolDir: join(dir, 'spool') }),
    ).toThrow(/^RAMPART_AUDIT_WEBHOOK_TOKEN must be printable ASCII/);
  });

  it('rampart serve with RAMPART_AUDIT_FILE naming a directory exits 2 with the reason, never listening', async () => {
    const data = join(dir, 'serve-data');
    const r = await rampart(
      ['serve', '--data', data, '--host', '127.0.0.1', '--port', '0'],
      { RAMPART_AUDIT_FILE: dir },
      20_000,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rampart serve: RAMPART_AUDIT_FILE=${dir}: is a directory`);
    expect(r.stdout).not.toContain('listening on');
  }, 30_000);
});

describe.each(backends.filter((b) => b.available))('the webhook sink log ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('names a redirect that follows a delivery, after a 500: each way the receiver fails is logged', async () => {
    // 500 first; then one POST is taken; then every POST is redirected.
    let posts = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        posts++;
        if (posts === 1) res.writeHead(500).end();
        else if (posts === 2) res.writeHead(200).end('{}');
        else res.writeHead(302, { location: 'https://elsewhere.example/in?token=secret' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const at = new Date('2026-12-05T10:00:00Z');
    const events = Array.from({ length: 3 }, (_, i) =>
      eventText({ accountId: '3000000000000001', event: syntheticEvent(`Op${i}`, at) }),
    );
    await store.transaction((tx) => appendEvents(tx, store, sealer, events, at));
    const lines: string[] = [];
    const stateDir = join(dir, `log-${backend.name}`);
    mkdirSync(stateDir, { recursive: true });
    const sinks = startAuditSinks(
      store,
      sealer,
      stateDir,
      {
        webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`, batch: 1 },
        pollMs: 20,
        maxBackoffMs: 40,
      },
      (l) => lines.push(l),
    );
    try {
      await eventually(async () =>
        expect(lines.join('\n')).toContain('HTTP 302, a redirect to https://elsewhere.example/in?…'),
      );
      // Logged at the first redirect, not at the 20th failure of a run the delivery began anew.
      expect(posts).toBeLessThan(6);
      expect(lines[0]).toMatch(/^audit webhook sink: the receiver answered HTTP 500; retrying/);
      expect(lines.join('\n')).not.toContain('secret');
    } finally {
      await sinks.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    }
  });
});
