/**
 * The sinks after a crash in the middle of a write, and with a line longer than the webhook's
 * read window, on both stores: a partial last line is dropped and its event written again
 * whole, so every later line stays a JSON line and nothing is lost; a long line is sent alone
 * (or, refused as too large, left out with an error), never holding up the events after it.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, eventText } from '../../src/audit/chain.js';
import { createFileSink } from '../../src/audit/sinks/file-sink.js';
import { createWebhookSink, SPOOL_READ_WINDOW } from '../../src/audit/sinks/webhook-sink.js';
import { parseExport, verifyChains } from '../../src/audit/verify.js';
import { createSealer } from '../../src/crypto/seal.js';
import type { Store } from '../../src/store/index.js';
import { backends } from '../domain/harness.js';
import { syntheticEvent } from './helpers.js';

const ACCOUNT = '1234567890123456';

/** A receiver that keeps the eventIds of each POST it takes; a body that is not JSON is a 400. */
async function receiver(maxBytes = Infinity) {
  const received: string[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let status = 200;
      if (body.length > maxBytes) status = 413;
      else {
        try {
          for (const e of (JSON.parse(body.toString('utf8')) as { events: { eventId: string }[] }).events)
            received.push(e.eventId);
        } catch {
          status = 400;
        }
      }
      statuses.push(status);
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    received,
    statuses,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Cuts the second half off the file's last line, as a crash during its write would. */
function cutLastLine(path: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.lastIndexOf('\n', text.length - 2) + 1;
  truncateSync(path, Buffer.byteLength(text.slice(0, start + Math.floor((text.length - start) / 2))));
}

describe.each(backends.filter((b) => b.available))('audit sinks after a crash ($name)', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: string;
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  let round = 0;
  let account = ACCOUNT;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    dir = mkdtempSync(join(tmpdir(), 'rampart-sink-recovery-'));
  });
  afterAll(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Appends `count` events to a fresh account's chain per test; resolves to their eventIds. */
  async function addEvents(count: number): Promise<string[]> {
    const at = new Date('2026-12-05T10:00:00Z');
    const events = Array.from({ length: count }, (_, i) => ({
      accountId: account,
      event: syntheticEvent(`Op${round}-${i}`, at),
    }));
    round++;
    await store.transaction((tx) => appendEvents(tx, store, sealer, events.map(eventText), at));
    return events.map((e) => e.event.eventId);
  }
  /** Every stored eventId: a new sink copies every account's events. */
  const storedIds = async () =>
    (await store.db.selectFrom('audit_events').select('event_id').execute()).map((r) => r.event_id);
  /** The cursor as it was before the last event of this test's account was written. */
  const cursorBack = (path: string) => {
    const cursor = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
    writeFileSync(path, `${JSON.stringify({ ...cursor, [account]: cursor[account]! - 1 })}\n`);
  };

  it('file sink: a partial last line is dropped and its event written again, every line whole', async () => {
    account = '2000000000000001';
    const path = join(dir, 'partial.jsonl');
    const stateDir = join(dir, 'partial-state');
    const first = createFileSink(store, { path, stateDir, sealer });
    await addEvents(10);
    while ((await first.pump()) > 0);
    // The crash: the last line's write cut short, the cursor not moved past it yet.
    cutLastLine(path);
    cursorBack(join(stateDir, 'file-sink.cursor'));
    const again = createFileSink(store, { path, stateDir, sealer });
    await addEvents(5);
    while ((await again.pump()) > 0);
    const text = readFileSync(path, 'utf8');
    const material = parseExport(text);
    expect(material.records.filter((r) => r.accountId === account).map((r) => r.seq)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(verifyChains(material, sealer, { sink: true })).toMatchObject({ ok: true, findings: [] });
    expect(new Set(material.records.map((r) => (JSON.parse(r.body) as { eventId: string }).eventId))).toEqual(
      new Set(await storedIds()),
    );
  });

  it('file sink: a crash between a rotation and the first write to the new file still starts it with its anchors', async () => {
    account = '2000000000000002';
    const path = join(dir, 'rotated.jsonl');
    const stateDir = join(dir, 'rotated-state');
    const first = createFileSink(store, { path, stateDir, sealer });
    await addEvents(10);
    while ((await first.pump()) > 0);
    // The rotation renamed the file; the process stopped before it wrote the new one.
    renameSync(path, `${path}.1`);
    const again = createFileSink(store, { path, stateDir, sealer });
    await addEvents(5);
    while ((await again.pump()) > 0);
    const alone = parseExport(readFileSync(path, 'utf8'));
    expect(alone.checkpoints.filter((c) => c.accountId === account)).toEqual([
      expect.objectContaining({ seq: 10 }),
    ]);
    expect(alone.records.map((r) => `${r.accountId}/${r.seq}`)).toEqual(
      [11, 12, 13, 14, 15].map((seq) => `${account}/${seq}`),
    );
    expect(verifyChains(alone, sealer, { sink: true })).toMatchObject({ ok: true, findings: [] });
  });

  it('webhook sink: a partial spool line is dropped and its event spooled again; every event arrives', async () => {
    account = '2000000000000003';
    const r = await receiver();
    const spoolDir = join(dir, 'spool-partial');
    try {
      const first = createWebhookSink(store, { url: r.url, spoolDir, batch: 4 });
      await addEvents(10);
      while ((await first.spool()) > 0);
      cutLastLine(join(spoolDir, 'spool.jsonl'));
      cursorBack(join(spoolDir, 'cursor.json'));
      const again = createWebhookSink(store, { url: r.url, spoolDir, batch: 4 });
      await addEvents(5);
      while ((await again.spool()) > 0);
      while ((await again.deliver()) > 0);
      expect(r.statuses.every((s) => s === 200)).toBe(true);
      expect(new Set(r.received)).toEqual(new Set(await storedIds()));
    } finally {
      await r.close();
    }
  });

  it('webhook sink: a line longer than the read window is sent alone, and the events after it follow', async () => {
    account = '2000000000000004';
    const r = await receiver();
    const spoolDir = join(dir, 'spool-long');
    try {
      const sink = createWebhookSink(store, { url: r.url, spoolDir, batch: 100 });
      // An event spooled before events were bounded in size: longer than the read window.
      const long = JSON.stringify({ eventId: 'LONG-EVENT', pad: 'x'.repeat(SPOOL_READ_WINDOW + 1000) });
      writeFileSync(join(spoolDir, 'spool.jsonl'), `${long}\n`, { mode: 0o600 });
      const ids = await addEvents(20);
      while ((await sink.spool()) > 0);
      expect(await sink.deliver()).toBe(1);
      while ((await sink.deliver()) > 0);
      const mine = new Set(['LONG-EVENT', ...ids]);
      expect(r.received[0]).toBe('LONG-EVENT');
      expect(r.received.filter((id) => mine.has(id))).toEqual(['LONG-EVENT', ...ids]);
      expect(new Set(r.received)).toEqual(new Set(['LONG-EVENT', ...(await storedIds())]));
    } finally {
      await r.close();
    }
  });

  it('webhook sink: a long line the receiver refuses as too large (413) is left out with an error, the rest arrive', async () => {
    account = '2000000000000005';
    const r = await receiver(SPOOL_READ_WINDOW);
    const spoolDir = join(dir, 'spool-413');
    try {
      const sink = createWebhookSink(store, { url: r.url, spoolDir, batch: 100 });
      const long = JSON.stringify({ eventId: 'TOO-LONG', pad: 'x'.repeat(SPOOL_READ_WINDOW + 1000) });
      writeFileSync(join(spoolDir, 'spool.jsonl'), `${long}\n`, { mode: 0o600 });
      const ids = await addEvents(20);
      while ((await sink.spool()) > 0);
      await expect(sink.deliver()).rejects.toThrow(
        /^the receiver refused an event of \d+ bytes as too large \(HTTP 413\): it is left out of the webhook/,
      );
      while ((await sink.deliver()) > 0);
      expect(r.received.filter((id) => ids.includes(id))).toEqual(ids);
      expect(new Set(r.received)).toEqual(new Set(await storedIds()));
      expect(existsSync(join(spoolDir, 'delivered'))).toBe(true);
    } finally {
      await r.close();
    }
  });
});
