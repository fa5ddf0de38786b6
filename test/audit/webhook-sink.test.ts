/**
 * The webhook sink on both stores, against receivers that redirect: no redirect is followed (a
 * 301/302/303 would make the POST a body-less GET whose 2xx fetch reports, a 307/308 would post
 * the events wherever the receiver says), a 3xx is a failed delivery, retried until the POST
 * itself is taken, and its one log line names the status and the Location without a secret. A
 * webhook URL with a user name or password is refused at configuration, and no sink log line
 * shows a URL's user information or query.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import { startAuditSinks } from '../../src/audit/sinks/index.js';
import { createWebhookSink } from '../../src/audit/sinks/webhook-sink.js';
import { redactUrls } from '../../src/audit/sinks/webhook-url.js';
import { ConfigError, resolveConfig } from '../../src/config.js';
import { createSealer } from '../../src/crypto/seal.js';
import type { Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { eventually, syntheticEvent } from './helpers.js';

const ACCOUNT = '1234567890123456';

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

/** A receiver that answers POST /ingest with `redirect` (until `accept()`), and everything else 200. */
async function redirectingReceiver(status: number, location: (port: number) => string) {
  const hits: Hit[] = [];
  let accepting = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if ((req.url ?? '').split('?')[0] === '/ingest' && !accepting) {
        res.writeHead(status, { location: location(port) }).end();
        return;
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    accept: () => {
      accepting = true;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe.each(backends.filter((b) => b.available))('audit webhook sink and redirects ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: string;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  let round = 0;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    dir = mkdtempSync(join(tmpdir(), 'rampart-webhook-sink-'));
  });
  afterAll(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  async function addEvents(count: number): Promise<void> {
    const at = new Date('2026-12-05T10:00:00Z');
    const events = Array.from({ length: count }, (_, i) =>
      eventText({ accountId: ACCOUNT, event: syntheticEvent(`Op${round}-${i}`, at) }),
    );
    round++;
    await store.transaction((tx) => appendEvents(tx, store, sealer, events, at));
  }

  it.each([301, 302, 303, 307, 308])(
    'counts a %i as a failed delivery and posts the batch again until the POST itself is taken',
    async (status) => {
      const receiver = await redirectingReceiver(
        status,
        (port) => `http://hook:hook-password@127.0.0.1:${port}/ingest/?token=location-secret`,
      );
      const spoolDir = join(dir, `spool-${status}`);
      try {
        const sink = createWebhookSink(store, { url: `http://127.0.0.1:${receiver.port}/ingest`, spoolDir });
        await addEvents(3);
        while ((await sink.spool()) > 0);
        const refused = await sink.deliver().then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(refused).toBeInstanceOf(Error);
        expect(refused!.message).toContain(`HTTP ${status}`);
        expect(refused!.message).toContain(`a redirect to http://127.0.0.1:${receiver.port}/ingest/?…`);
        expect(refused!.message).not.toMatch(/hook-password|location-secret|hook:/);
        // The redirect was not followed, and nothing counts as delivered.
        expect(receiver.hits.map((h) => `${h.method} ${h.url}`)).toEqual(['POST /ingest']);
        const delivered = join(spoolDir, 'delivered');
        expect(existsSync(delivered) ? readFileSync(delivered, 'utf8').trim() : '0').toBe('0');

        // The receiver takes the POST: the same batch comes, whole.
        receiver.accept();
        const sent = await sink.deliver();
        expect(sent).toBeGreaterThanOrEqual(3);
        const last = receiver.hits[receiver.hits.length - 1]!;
        expect(`${last.method} ${last.url}`).toBe('POST /ingest');
        expect((JSON.parse(last.body) as { events: unknown[] }).events.length).toBe(sent);
        expect(JSON.parse(last.body)).toEqual(JSON.parse(receiver.hits[0]!.body));
        expect(Number(readFileSync(delivered, 'utf8'))).toBeGreaterThan(0);
      } finally {
        await receiver.close();
      }
    },
  );

  it('logs one line for a redirect, naming its status and Location and no secret', async () => {
    const receiver = await redirectingReceiver(301, () => '/ingest/?token=location-secret');
    const lines: string[] = [];
    const stateDir = mkdtempSync(join(tmpdir(), 'rampart-webhook-log-'));
    await addEvents(2);
    const sinks = startAuditSinks(
      store,
      sealer,
      stateDir,
      {
        webhook: {
          url: `http://127.0.0.1:${receiver.port}/ingest?key=url-secret`,
          token: 'bearer-secret',
          batch: 10,
        },
        pollMs: 20,
        maxBackoffMs: 40,
      },
      (l) => lines.push(l),
    );
    try {
      await eventually(async () => expect(receiver.hits.length).toBeGreaterThanOrEqual(3));
      expect(receiver.hits.every((h) => h.method === 'POST' && h.url === '/ingest?key=url-secret')).toBe(
        true,
      );
      expect(lines).toEqual([
        `audit webhook sink: the receiver answered HTTP 301, a redirect to http://127.0.0.1:${receiver.port}/ingest/?…, ` +
          'which is not followed: the batch is not delivered; set RAMPART_AUDIT_WEBHOOK_URL to the URL that takes the POST; ' +
          'retrying with backoff (events wait on disk)',
      ]);
      receiver.accept();
      await eventually(async () => expect(lines.length).toBe(2));
      expect(lines[1]).toMatch(/^audit webhook sink: delivering again after \d+ failed attempt\(s\)$/);
      expect(lines.join('\n')).not.toMatch(/secret/);
    } finally {
      await sinks.stop();
      await receiver.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('webhook URLs with credentials', () => {
  it('refuses user:pass@ at configuration, pointing to the bearer token, without echoing the password', () => {
    for (const url of ['http://hookuser:HOOKPASS@127.0.0.1:9/x', 'https://hookuser@example.com/x']) {
      let refused: unknown;
      try {
        resolveConfig({ data: join(tmpdir(), 'rampart-never-created') }, { RAMPART_AUDIT_WEBHOOK_URL: url });
      } catch (e) {
        refused = e;
      }
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toContain('RAMPART_AUDIT_WEBHOOK_TOKEN');
      expect((refused as Error).message).not.toMatch(/HOOKPASS|hookuser/);
    }
    // Without credentials, the same URL is taken.
    const ok = resolveConfig(
      { data: join(tmpdir(), 'rampart-never-created') },
      { RAMPART_AUDIT_WEBHOOK_URL: 'http://127.0.0.1:9/x' },
    );
    expect(ok.auditSinks.webhook?.url).toBe('http://127.0.0.1:9/x');
    expect(() =>
      createWebhookSink({} as Store, { url: 'http://u:p@127.0.0.1:9/x', spoolDir: join(tmpdir(), 'never') }),
    ).toThrow(/RAMPART_AUDIT_WEBHOOK_TOKEN/);
  });

  it.each([
    [
      'Request cannot be constructed from a URL that includes credentials: http://hookuser:HOOKPASS@127.0.0.1:19261/x',
      'Request cannot be constructed from a URL that includes credentials: http://127.0.0.1:19261/x',
    ],
    ['posting to https://h.example/in?sig=abc&x=1.', 'posting to https://h.example/in?….'],
    ['(https://u@h.example:8443/a/b#frag)', '(https://h.example:8443/a/b)'],
    ['fetch failed: connect ECONNREFUSED 127.0.0.1:9', 'fetch failed: connect ECONNREFUSED 127.0.0.1:9'],
  ])('shows URLs in a sink log line without user information or query: %s', (text, shown) => {
    expect(redactUrls(text)).toBe(shown);
  });
});
