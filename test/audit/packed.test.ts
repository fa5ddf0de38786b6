/**
 * Buffered audit events packed as bytes (src/audit/packed.ts): what comes back out of a batch
 * is exactly the event's JSON text and index columns, and what the recorder stores from a
 * batch is the same text, columns and hash on both stores.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { startInProcessServer } from '../helpers/in-process.js';
import { createTestDatabase } from '../helpers/pg.js';
import { v3Call } from '../server/http.js';
import { chainHash, eventText } from '../../src/audit/chain.js';
import { indexOf, type AuditEvent, type PendingEvent } from '../../src/audit/event.js';
import { renderApiEvent, type ApiEventFacts } from '../../src/audit/api-event.js';
import {
  EventPacker,
  readPacked,
  splitPacked,
  unpackEvents,
  type PackedEvents,
} from '../../src/audit/packed.js';
import { createAuditRecorder, type AuditRecorderOptions } from '../../src/audit/recorder.js';
import { readChainMaterial, verifyChains } from '../../src/audit/verify.js';
import { createSealer } from '../../src/crypto/seal.js';
import { openStore, type Store } from '../../src/store/index.js';
import { syntheticEvent } from './helpers.js';

const ACCOUNT = '1234567890123456';

/** Events whose text and columns are awkward to carry: non-ASCII, control characters, nulls. */
function awkwardEvents(): PendingEvent[] {
  const at = new Date('2026-12-04T10:00:00Z');
  const plain = syntheticEvent('GetUser', at);
  const withUser: AuditEvent = {
    ...syntheticEvent('CreateUser', at),
    eventRW: 'Write',
    requestParameters: { UserName: '用户-😀', Comments: 'line one\nline two\u0000 and a tab\t"quoted"' },
    userIdentity: { type: 'ram-user', principalId: '2034', accountId: ACCOUNT, userName: 'zoë\u2028' },
    sourceIpAddress: '192.0.2.7',
    resourceType: 'ACS::RAM::User',
    resourceName: 'a\nb\u0000c\ud800',
    errorCode: 'EntityAlreadyExists.User',
    errorMessage: 'The user already exists: 用户-😀',
  };
  return [
    { accountId: ACCOUNT, event: plain },
    { accountId: ACCOUNT, event: withUser },
    { accountId: '', event: syntheticEvent('GetUser', at) },
    {
      accountId: ACCOUNT,
      event: { ...plain, eventId: 'E'.repeat(36), requestParameters: { Big: 'x'.repeat(70_000) } },
    },
  ];
}

/** Facts of API events that are awkward to carry: unusual parameter names, NUL, lone surrogates. */
function awkwardFacts(): ApiEventFacts[] {
  const base: ApiEventFacts = {
    accountId: ACCOUNT,
    requestId: '01A243C1-E2B9-734C-9CDD-759DA9798992',
    receivedAtMs: Date.parse('2026-12-04T10:00:00.999Z'),
    name: 'GetUser',
    eventSource: 'ram.aliyuncs.com',
    serviceName: 'Ram',
    apiVersion: '2015-05-01',
    requestParameters: { UserName: 'bench-reader' },
    scheme: 'http',
    userIdentity: {
      type: 'ram-user',
      principalId: '2034',
      accountId: ACCOUNT,
      userName: 'bench-reader',
      accessKeyId: 'LTAI5tXXXXXXXXXXXXXXXXXX',
      sessionContext: { attributes: { mfaAuthenticated: 'false' } },
    },
    sourceIp: '127.0.0.1',
    userAgent: '',
    errorCode: '',
    errorMessage: '',
  };
  return [
    base,
    {
      ...base,
      accountId: '',
      name: 'Unknown\u0000Action😀',
      apiVersion: undefined,
      // Integer-like names come first in an object whatever their order; `__proto__` as a name.
      requestParameters: JSON.parse(
        '{"b":"1","10":"x","2":"y","__proto__":"p","UserName":"b\\u0000ob\\ud800"}',
      ),
      userIdentity: { type: 'unknown' },
      userAgent: 'agent "quoted"\n\u2028',
      errorCode: 'InvalidAction.NotFound',
      errorMessage: 'Specified api is not found, please check your url and method.',
    },
    { ...base, scheme: 'https', receivedAtMs: 0, requestParameters: {} },
    {
      ...base,
      name: 'AssumeRole',
      eventSource: 'sts.aliyuncs.com',
      serviceName: 'Sts',
      requestParameters: { RoleArn: `acs:ram::${ACCOUNT}:role/Deployer`, RoleSessionName: 's1' },
    },
  ];
}

function pack(events: readonly PendingEvent[], initialBytes?: number): PackedEvents {
  const packer = new EventPacker(initialBytes);
  for (const e of events) packer.add(e);
  expect(packer.count).toBe(events.length);
  return packer.take();
}

/** A fresh data directory for `open`, and the store it opens, closed and removed after `fn`. */
async function withStore(
  open: (dir: string) => Promise<Store>,
  fn: (store: Store) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-packed-'));
  const store = await open(dir);
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A recorder over `store` with a fresh sealing key; `lines` collects its log. */
function recorderOver(store: Store, opts: Partial<AuditRecorderOptions>) {
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  const lines: string[] = [];
  const recorder = createAuditRecorder({
    store,
    sealer,
    clock: () => new Date(),
    log: (l) => lines.push(l),
    ...opts,
  });
  return { recorder, sealer, lines };
}

describe('packed audit events', () => {
  it('read back as the same JSON text and index columns eventText makes, growing past the first buffer', () => {
    const events = awkwardEvents();
    // 1 KiB to start: the 70,000-character event makes the packer grow.
    const batch = pack(events, 1024);
    const read = [...readPacked(batch)];
    expect(read).toHaveLength(events.length);
    read.forEach((r, i) => {
      const expected = eventText(events[i]!);
      expect(r.accountId).toBe(expected.accountId);
      expect(r.columns).toEqual(expected.columns);
      expect(Buffer.from(r.body).toString('utf8')).toBe(expected.body);
    });
    expect(unpackEvents(batch)).toEqual(events.map(eventText));
    // An index column holds no NUL and no unpaired surrogate; the JSON text keeps both, escaped.
    expect(read[1]!.columns[12]).toBe('a\nb\ufffdc\ufffd');
    expect(JSON.parse(Buffer.from(read[1]!.body).toString('utf8')).resourceName).toBe('a\nb\u0000c\ud800');
  });

  it('starts empty after a take, and a take of nothing is an empty batch', () => {
    const events = awkwardEvents();
    const packer = new EventPacker();
    expect(packer.take()).toMatchObject({ count: 0 });
    packer.add(events[0]!);
    const first = packer.take();
    expect(first.count).toBe(1);
    expect(packer.count).toBe(0);
    expect(packer.bytes).toBe(0);
    packer.add(events[1]!);
    const second = packer.take();
    // Until it is released, a batch's buffer is its own: packing more did not change it.
    expect(unpackEvents(first)).toEqual([eventText(events[0]!)]);
    expect(unpackEvents(second)).toEqual([eventText(events[1]!)]);
  });

  it('packs into shared buffers, and uses a buffer again only once its batch is released', () => {
    const events = awkwardEvents().slice(0, 3);
    const packer = new EventPacker(4096);
    packer.add(events[0]!);
    const first = packer.take();
    // Shared memory: the writer thread reads the batch without a copy.
    expect(first.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    packer.add(events[1]!);
    const second = packer.take();
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    packer.release(first);
    // A batch released twice, or one the packer did not lend, is not taken back again.
    packer.release(first);
    packer.release({ count: 1, bytes: new Uint8Array(new SharedArrayBuffer(4096), 0, 10) });
    // The packer is filling its third buffer; the one after it is the released one.
    packer.add(events[2]!);
    const third = packer.take();
    expect(third.bytes.buffer).not.toBe(first.bytes.buffer);
    packer.add(events[0]!);
    const fourth = packer.take();
    expect(fourth.bytes.buffer).toBe(first.bytes.buffer);
    packer.add(events[1]!);
    expect(packer.take().bytes.buffer).not.toBe(first.bytes.buffer);
    expect(unpackEvents(second)).toEqual([eventText(events[1]!)]);
    expect(unpackEvents(third)).toEqual([eventText(events[2]!)]);
    expect(unpackEvents(fourth)).toEqual([eventText(events[0]!)]);
  });

  it('names the role an AssumeRole event is about, so that LookupEvents finds it by RoleName', () => {
    const facts = awkwardFacts().find((f) => f.name === 'AssumeRole')!;
    const event = renderApiEvent(facts);
    expect(event).toMatchObject({
      resourceType: 'ACS::RAM::Role',
      resourceName: 'Deployer',
      referencedResources: { 'ACS::RAM::Role': ['Deployer'] },
    });
    expect(indexOf(event).roleName).toBe('Deployer');
  });

  it('reads the facts of an API event back as the event renderApiEvent makes, beside whole events', () => {
    const facts = awkwardFacts();
    const events = awkwardEvents();
    const packer = new EventPacker(512);
    // Interleaved: a whole event, the facts of one, and so on.
    const expected: ReturnType<typeof eventText>[] = [];
    facts.forEach((f, i) => {
      packer.add(events[i % events.length]!);
      expected.push(eventText(events[i % events.length]!));
      packer.addFacts(f);
      expected.push(eventText({ accountId: f.accountId, event: renderApiEvent(f) }));
    });
    const batch = packer.take();
    expect(batch.count).toBe(expected.length);
    expect(unpackEvents(batch)).toEqual(expected);
    // Cut anywhere, the halves read back as the same events.
    for (const cut of [1, 2, 3]) {
      const [a, b] = splitPacked(batch, cut);
      expect([...unpackEvents(a), ...unpackEvents(b)]).toEqual(expected);
    }
    // The event made from facts that went through the batch is the event made from them at once.
    const awkward = JSON.parse(expected[3]!.body) as AuditEvent;
    expect(awkward.requestParameters).toEqual(facts[1]!.requestParameters);
    expect(Object.keys(awkward.requestParameters)).toEqual(Object.keys(facts[1]!.requestParameters));
    expect(awkward.resourceName).toBe('b\u0000ob\ud800');
    expect(awkward).not.toHaveProperty('apiVersion');
    expect(awkward).not.toHaveProperty('recipientAccountId');
  });

  it('renders any facts to the very text and columns of the event renderApiEvent makes', () => {
    // Text of every kind: quotes, backslashes, control characters (the separator among them),
    // lone and paired surrogates, non-ASCII.
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(
          '"',
          '\\',
          '\u0000',
          '\u0001',
          '\n',
          '\u001f',
          '\u2028',
          '\ud800',
          '\udfff',
          '😀',
          'é',
          ',',
        ),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.constantFrom('a', 'B', ':', '-'),
      ),
      maxLength: 12,
    });
    const paramName = fc.oneof(
      fc.constantFrom(
        'UserName',
        'GroupName',
        'RoleName',
        'PolicyName',
        'UserAccessKeyId',
        'SerialNumber',
        '10',
        '__proto__',
      ),
      text,
    );
    const identity = fc.oneof(
      fc.constant({ type: 'unknown' }),
      fc.record({
        type: fc.constantFrom('root-account', 'ram-user', 'assumed-role', 'saml-user'),
        principalId: text,
        accountId: text,
        userName: text,
        accessKeyId: text,
      }),
      fc.record({
        type: fc.constant('ram-user'),
        principalId: text,
        userName: text,
        sessionContext: fc.constant({ attributes: { mfaAuthenticated: 'true' } }),
      }),
    );
    const facts: fc.Arbitrary<ApiEventFacts> = fc.record({
      accountId: fc.oneof(fc.constant(''), fc.constant(ACCOUNT), text),
      requestId: text,
      receivedAtMs: fc.integer({ min: -8.64e15, max: 8.64e15 }),
      name: fc.oneof(fc.constantFrom('GetUser', 'CreateRole', 'ListPolicies', 'AttachPolicyToGroup'), text),
      eventSource: text,
      serviceName: text,
      apiVersion: fc.option(text, { nil: undefined }),
      requestParameters: fc.dictionary(paramName, text, { maxKeys: 5 }),
      scheme: fc.constantFrom('http', 'https'),
      userIdentity: identity as fc.Arbitrary<ApiEventFacts['userIdentity']>,
      sourceIp: text,
      userAgent: text,
      errorCode: text,
      errorMessage: text,
    });
    fc.assert(
      fc.property(fc.array(facts, { minLength: 1, maxLength: 6 }), (list) => {
        const packer = new EventPacker(256);
        for (const f of list) packer.addFacts(f);
        const expected = list.map((f) => eventText({ accountId: f.accountId, event: renderApiEvent(f) }));
        expect(unpackEvents(packer.take())).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses facts without a time, or with one no Date holds, when they are added, not when their batch is read', () => {
    const packer = new EventPacker();
    for (const receivedAtMs of [NaN, Infinity, 1.5, 8.64e15 + 1])
      expect(() => packer.addFacts({ ...awkwardFacts()[0]!, receivedAtMs })).toThrow(RangeError);
    expect(packer.count).toBe(0);
  });

  it('refuses facts it did not write', () => {
    const bytes = (text: string) => {
      const b = Buffer.alloc(5 + Buffer.byteLength(text));
      b.writeUInt32LE(1 + Buffer.byteLength(text), 0);
      b.write('F', 4);
      b.write(text, 5);
      return { count: 1, bytes: b };
    };
    const good = [
      '"1"',
      '"id"',
      '1764928800000',
      '"GetUser"',
      '"ram.aliyuncs.com"',
      '"Ram"',
      'null',
      '{}',
      'http',
      '{"type":"unknown"}',
      '"127.0.0.1"',
      '""',
      '""',
      '""',
    ];
    expect([...readPacked(bytes(good.join('\u0001')))]).toHaveLength(1);
    const spoilt = (i: number, fact: string) => good.map((g, j) => (j === i ? fact : g)).join('\u0001');
    for (const text of [
      '',
      '[1,2]',
      '{"a":1}',
      JSON.stringify(Array(14).fill('x')),
      good.slice(1).join('\u0001'),
      [...good, '""'].join('\u0001'),
      spoilt(0, '1'),
      spoilt(1, '"a"b"'),
      spoilt(3, '"Get\nUser"'),
      spoilt(4, 'ram'),
      spoilt(11, '"unterminated'),
      spoilt(13, '"\\x"'),
      spoilt(2, '1.5'),
      spoilt(2, '9e99'),
      spoilt(6, 'undefined'),
      spoilt(7, '[]'),
      spoilt(8, 'ftp'),
      spoilt(9, 'null'),
    ])
      expect(() => [...readPacked(bytes(text))], text).toThrow(/no facts/);
  });

  it('refuses a batch that is cut short, counts more events than it holds, or holds more than its count', () => {
    const batch = pack(awkwardEvents().slice(0, 2));
    const read = (b: PackedEvents) => [...readPacked(b)];
    expect(() => read({ count: 2, bytes: batch.bytes.subarray(0, batch.bytes.length - 1) })).toThrow(
      /damaged/,
    );
    expect(() => read({ count: 2, bytes: batch.bytes.subarray(0, 3) })).toThrow(/damaged/);
    expect(() => read({ count: 3, bytes: batch.bytes })).toThrow(/damaged/);
    expect(() => read({ count: 1, bytes: batch.bytes })).toThrow(/damaged/);
    const noColumns = Buffer.alloc(8);
    noColumns.writeUInt32LE(4, 0);
    noColumns.write('[1]\n', 4);
    expect(() => read({ count: 1, bytes: noColumns })).toThrow(/no columns/);
  });
});

describe.each(STORES)('the recorder stores packed events (%s)', (kind) => {
  it('as the same text, columns and chain hashes as the events themselves', async () => {
    const pg = kind === 'postgres' ? await createTestDatabase() : undefined;
    try {
      await withStore(
        (dir) => openStore({ dataDir: dir, databaseUrl: pg?.url }),
        async (store) => {
          const { recorder, sealer } = recorderOver(store, { flushMs: 5, maxBatch: 3 });
          const events = awkwardEvents();
          for (const e of events) recorder.record(e);
          expect(recorder.pending()).toBe(events.length);
          await recorder.close();
          expect(recorder.pending()).toBe(0);

          const rows = await store.db
            .selectFrom('audit_events')
            .selectAll()
            .orderBy('account_id')
            .orderBy('seq')
            .execute();
          expect(rows).toHaveLength(events.length);
          const byId = new Map(rows.map((r) => [r.event_id, r]));
          for (const e of events) {
            const row = byId.get(e.event.eventId)!;
            const expected = eventText(e);
            expect(row.account_id).toBe(e.accountId);
            expect(row.body).toBe(expected.body);
            expect(row.hash).toBe(chainHash(row.prev_hash, expected.body));
            expect(row.user_name).toBe(e.event.userIdentity.userName ?? null);
            expect(row.error_code).toBe(e.event.errorCode === '' ? null : e.event.errorCode);
          }
          // A NUL and an unpaired surrogate in a column: stored the same way on both stores, and
          // the batch carrying them was appended (PostgreSQL refuses NUL in text).
          expect(byId.get(events[1]!.event.eventId)!.resource_name).toBe('a\nb\ufffdc\ufffd');
          expect(JSON.parse(byId.get(events[1]!.event.eventId)!.body).resourceName).toBe('a\nb\u0000c\ud800');
          const verdict = verifyChains(await readChainMaterial(store, ACCOUNT), sealer);
          expect(verdict).toMatchObject({
            ok: true,
            events: 3,
          });
        },
      );
    } finally {
      await pg?.drop();
    }
  });
});

describe.each(STORES)('a refused request whose input holds NUL (%s)', (store) => {
  it('is recorded, and the events after it are too', async () => {
    const s = await startInProcessServer({ store });
    try {
      const keys = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
      const bad = await v3Call(s, keys, 'GetUser', { UserName: 'nul\u0000name' }, { now: s.clock() });
      expect(bad.status).toBe(400);
      const good = await v3Call(s, keys, 'GetAccountAlias', {}, { now: s.clock() });
      expect(good.status).toBe(200);
      await s.deployment.audit.flush();
      expect(s.deployment.audit.pending()).toBe(0);
      const rows = await s.deployment.store.db
        .selectFrom('audit_events')
        .select(['event_name', 'resource_name', 'error_code', 'body'])
        .where('account_id', '=', s.accountId)
        .where('event_name', 'in', ['GetUser', 'GetAccountAlias'])
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => [r.event_name, r.resource_name, r.error_code])).toEqual([
        ['GetUser', 'nul\ufffdname', JSON.parse(bad.text).Code],
        ['GetAccountAlias', null, null],
      ]);
      expect(JSON.parse(rows[0]!.body).requestParameters.UserName).toBe('nul\u0000name');
    } finally {
      await s.stop();
    }
  });
});

describe('the recorder and a store that refuses some rows', () => {
  /** An SQLite store whose writer tasks go through `around` (given the task and the real runner). */
  async function storeWithTasks(
    dir: string,
    around: (name: string, input: unknown, run: () => Promise<unknown>) => Promise<unknown>,
  ): Promise<Store> {
    const store = await openStore({ dataDir: dir });
    const run = store.runWriterTask!.bind(store);
    const runWriterTask = ((name, input) =>
      around(name, input, () => run(name, input))) as Store['runWriterTask'];
    return Object.assign(Object.create(store) as Store, { runWriterTask });
  }

  /** An SQLite store whose appends fail with `code` while `refuse(names)` says so. */
  function refusingStore(dir: string, refuse: (names: string[]) => string | undefined): Promise<Store> {
    return storeWithTasks(dir, (name, input, run) => {
      if (name === 'appendAuditEvents') {
        const batch = (input as { events: PackedEvents }).events;
        const code = refuse(unpackEvents(batch).map((e) => String(e.columns[2])));
        if (code) return Promise.reject(Object.assign(new Error(`refused (${code})`), { code }));
      }
      return run();
    });
  }

  const names = (n: number, bad: number[] = []) =>
    Array.from({ length: n }, (_, i) => (bad.includes(i) ? `Poison${i}` : `GetUser${i}`));

  async function storedNames(store: Store): Promise<string[]> {
    const rows = await store.db.selectFrom('audit_events').select('event_name').orderBy('seq').execute();
    return rows.map((r) => r.event_name);
  }

  it('finds the events the store refuses for what they hold, lets them go with a log line, and appends the rest', async () => {
    const refuse = (n: string[]) => (n.some((x) => x.startsWith('Poison')) ? '22021' : undefined);
    await withStore(
      (dir) => refusingStore(dir, refuse),
      async (store) => {
        const { recorder, sealer, lines } = recorderOver(store, { maxBatch: 40 });
        const all = names(100, [3, 4, 57, 99]);
        // A caller's spelling can hold a line feed: the log line must not.
        all[99] = 'Poison99\naudit: a forged line';
        const ids: string[] = [];
        for (const name of all) {
          const event = syntheticEvent(name, new Date());
          ids.push(event.eventId);
          recorder.record({ accountId: ACCOUNT, event });
        }
        await recorder.close();
        expect(recorder.pending()).toBe(0);
        expect(await storedNames(store)).toEqual(all.filter((n) => !n.startsWith('Poison')));
        const dropped = lines.filter((l) => l.includes('dropped'));
        expect(dropped).toHaveLength(4);
        expect(dropped.filter((l) => l.includes('\n'))).toEqual([]);
        for (const i of [3, 4, 57, 99])
          expect(dropped.some((l) => l.includes(ids[i]!) && l.includes(`Poison${i}`))).toBe(true);
        expect(verifyChains(await readChainMaterial(store, ACCOUNT), sealer)).toMatchObject({
          ok: true,
          events: 96,
        });
      },
    );
  });

  it('keeps every event while the store cannot write (a full disk, out of reach), and appends them all after', async () => {
    let failing: string | undefined = 'SQLITE_FULL';
    await withStore(
      (dir) => refusingStore(dir, () => failing),
      async (store) => {
        const { recorder, lines } = recorderOver(store, { flushMs: 1, maxBatch: 10 });
        const all = names(35);
        for (const name of all)
          recorder.record({ accountId: ACCOUNT, event: syntheticEvent(name, new Date()) });
        await recorder.flush();
        await recorder.flush();
        failing = 'SQLITE_BUSY';
        await recorder.flush();
        expect(recorder.pending()).toBe(35);
        expect(await storedNames(store)).toEqual([]);
        failing = undefined;
        await recorder.close();
        expect(recorder.pending()).toBe(0);
        expect(await storedNames(store)).toEqual(all);
        expect(lines.some((l) => l.includes('retrying'))).toBe(true);
        expect(lines.some((l) => l.includes('dropped'))).toBe(false);
      },
    );
  });

  it('seals the checkpoints a batch made due and inserts them with the next batch, in its transaction', async () => {
    const calls: { name: string; checkpoints: number }[] = [];
    await withStore(
      (dir) =>
        storeWithTasks(dir, (name, input, run) => {
          const carried = (input as { checkpoints?: unknown[] }).checkpoints;
          calls.push({ name, checkpoints: carried?.length ?? 0 });
          return run();
        }),
      async (store) => {
        const { recorder, sealer } = recorderOver(store, { maxBatch: 100 });
        for (const name of names(350))
          recorder.record({ accountId: ACCOUNT, event: syntheticEvent(name, new Date()) });
        await recorder.close();
        // Four batches, one transaction each: the checkpoints at 100, 200 and 300 rode along.
        expect(calls).toEqual([
          { name: 'appendAuditEvents', checkpoints: 0 },
          { name: 'appendAuditEvents', checkpoints: 1 },
          { name: 'appendAuditEvents', checkpoints: 1 },
          { name: 'appendAuditEvents', checkpoints: 1 },
        ]);
        const material = await readChainMaterial(store, ACCOUNT);
        expect(material.checkpoints.map((c) => c.seq)).toEqual([100, 200, 300]);
        expect(verifyChains(material, sealer)).toMatchObject({ ok: true, events: 350, checkpoints: 3 });
        // With nothing left to carry it, a checkpoint due goes in at once.
        calls.length = 0;
        const quiet = recorderOver(store, { maxBatch: 100 }).recorder;
        for (const name of names(60))
          quiet.record({ accountId: ACCOUNT, event: syntheticEvent(name, new Date()) });
        await quiet.flush();
        expect(calls).toEqual([
          { name: 'appendAuditEvents', checkpoints: 0 },
          { name: 'insertAuditCheckpoints', checkpoints: 1 },
        ]);
        expect((await readChainMaterial(store, ACCOUNT)).checkpoints.map((c) => c.seq)).toEqual([
          100, 200, 300, 410,
        ]);
        await quiet.close();
      },
    );
  });

  it('past its bound, drops the oldest waiting batches, never the one being appended, and accounts for every event', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    await withStore(
      (dir) => {
        let first = true;
        return storeWithTasks(dir, async (name, _input, run) => {
          // The first append is slow: the store holds it while more events arrive.
          if (name === 'appendAuditEvents' && first) {
            first = false;
            await gate;
          }
          return run();
        });
      },
      async (store) => {
        const { recorder, lines } = recorderOver(store, { maxBatch: 10, maxBuffered: 30 });
        const all = names(60);
        for (const name of all.slice(0, 10))
          recorder.record({ accountId: ACCOUNT, event: syntheticEvent(name, new Date()) });
        await new Promise((r) => setTimeout(r, 20));
        for (const name of all.slice(10))
          recorder.record({ accountId: ACCOUNT, event: syntheticEvent(name, new Date()) });
        open();
        await recorder.close();
        expect(recorder.pending()).toBe(0);
        const stored = await storedNames(store);
        const dropped = lines
          .map((l) => /^audit: (\d+) buffered event\(s\) dropped/.exec(l))
          .reduce((n, m) => n + (m ? Number(m[1]) : 0), 0);
        expect(dropped).toBeGreaterThan(0);
        // The batch being appended was kept whole; every other event is stored or said dropped.
        expect(stored.slice(0, 10)).toEqual(all.slice(0, 10));
        expect(stored.length + dropped).toBe(all.length);
        expect(new Set(stored).size).toBe(stored.length);
        // What was dropped is the oldest: the stored events after the first batch are the newest.
        expect(stored.slice(10)).toEqual(all.slice(all.length - (stored.length - 10)));
      },
    );
  });
});
