/**
 * The audit trail through the official clients: every kind of API call recorded with the
 * right fields, secrets never stored, and LookupEvents (ActionTrail 2020-07-06) through
 * @alicloud/pop-core: filters, paging, order, errors and authorization. SQLite and PostgreSQL.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ramClient,
  rootKeys,
  startServer,
  type KeyPair,
  type RamClient,
  type TestServer,
} from '../helpers/server.js';
import type { Store } from '../../src/store/index.js';
import { signRequestV3 } from '../../src/auth/signature-v3.js';
import { percentEncode } from '../../src/auth/percent-encode.js';
import {
  STORES,
  STRONG_PASSWORD,
  call,
  grant,
  popCall,
  popFailure,
  ramUserWithKey,
  twoCodes,
  uniq,
} from './ram-helpers.js';
import { attributes, eventually, lookup, openServerStore, storedEvents } from '../audit/helpers.js';

describe.each(STORES)('ActionTrail audit trail (%s)', (store) => {
  let server: TestServer;
  let root: RamClient;
  let rootK: KeyPair;
  let db: Store;
  /** Every secret the calls below send or receive: none may ever be stored. */
  const secrets: string[] = [];
  const userName = uniq('audited');
  let user: { userName: string; keys: KeyPair; client: RamClient };
  let reader: { userName: string; keys: KeyPair; client: RamClient };

  beforeAll(async () => {
    server = await startServer({ store });
    root = ramClient(server);
    rootK = rootKeys(server);
    secrets.push(server.rootAccessKeySecret);
    db = await openServerStore(server);

    // Writes, by the root through pop-core (V2) and the RAM SDK (V3).
    await popCall(server, rootK, 'CreateUser', { UserName: userName, DisplayName: 'Audited' });
    await popCall(server, rootK, 'CreateLoginProfile', { UserName: userName, Password: STRONG_PASSWORD });
    secrets.push(STRONG_PASSWORD);
    user = await ramUserWithKey(server, root);
    secrets.push(user.keys.accessKeySecret);
    // A RAM user changes its own password (self-service) and binds an MFA device.
    const newPassword = `New-${randomUUID()}-Aa1!`;
    await call(root, 'CreateLoginProfile', { UserName: user.userName, Password: `Old-${STRONG_PASSWORD}` });
    secrets.push(`Old-${STRONG_PASSWORD}`, newPassword);
    await popCall(server, user.keys, 'ChangePassword', {
      OldPassword: `Old-${STRONG_PASSWORD}`,
      NewPassword: newPassword,
    });
    const device = await call(root, 'CreateVirtualMFADevice', { VirtualMFADeviceName: uniq('mfa') });
    const seed = device.VirtualMFADevice.Base32StringSeed as string;
    secrets.push(seed);
    const [code1, code2] = twoCodes(seed);
    await call(root, 'BindMFADevice', {
      UserName: userName,
      SerialNumber: device.VirtualMFADevice.SerialNumber,
      AuthenticationCode1: code1,
      AuthenticationCode2: code2,
    });
    // Reads and refusals.
    await popCall(server, rootK, 'GetUser', { UserName: userName });
    await popFailure(popCall(server, rootK, 'GetUser', { UserName: 'nobody-here' }));
    await popFailure(popCall(server, user.keys, 'ListUsers'));
    await popFailure(popCall(server, rootK, 'CreateUser', { UserName: 'bad name!' }));
    await popFailure(
      popCall(server, { accessKeyId: rootK.accessKeyId, accessKeySecret: 'wrong-secret-value' }, 'ListUsers'),
    );
    reader = await ramUserWithKey(server, root);
    secrets.push(reader.keys.accessKeySecret);
    await grant(root, reader.userName, ['actiontrail:LookupEvents']);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const byName = async (eventName: string, has: (e: any) => boolean = () => true) =>
    eventually(async () => {
      const r = await lookup(server, rootK, { ...attributes(['EventName', eventName]), MaxResults: '50' });
      expect(r.Events.some(has)).toBe(true);
      return r.Events;
    });

  it('records a write with the ActionTrail fields', async () => {
    const [e] = await byName('CreateUser');
    const created = (await byName('CreateUser')).find(
      (x: { requestParameters: { UserName?: string } }) => x.requestParameters.UserName === userName,
    );
    expect(created).toMatchObject({
      eventVersion: 1,
      eventCategory: 'Management',
      eventType: 'ApiCall',
      eventName: 'CreateUser',
      eventRW: 'Write',
      eventSource: 'ram.aliyuncs.com',
      serviceName: 'Ram',
      apiVersion: '2015-05-01',
      acsRegion: 'cn-hangzhou',
      sourceIpAddress: '127.0.0.1',
      resourceType: 'ACS::RAM::User',
      resourceName: userName,
      errorCode: '',
      errorMessage: '',
      recipientAccountId: server.accountId,
      userIdentity: {
        type: 'root-account',
        principalId: server.accountId,
        accountId: server.accountId,
        userName: 'root',
        accessKeyId: server.rootAccessKeyId,
      },
      requestParameters: { UserName: userName, DisplayName: 'Audited', Action: 'CreateUser' },
    });
    expect(created.eventId).toMatch(/^[0-9A-F-]{36}$/);
    expect(created.requestId).toBe(created.eventId);
    expect(created.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.userAgent).toMatch(/Node|AlibabaCloud/);
    expect(e.eventName).toBe('CreateUser');
  });

  it('records reads, refusals, bad input and failed authentication', async () => {
    const reads = await byName(
      'GetUser',
      (x: { errorCode: string }) => x.errorCode === 'EntityNotExist.User',
    );
    expect(reads.some((x: { errorCode: string }) => x.errorCode === '')).toBe(true);
    const missing = reads.find((x: { errorCode: string }) => x.errorCode === 'EntityNotExist.User');
    expect(missing).toMatchObject({ eventRW: 'Read', requestParameters: { UserName: 'nobody-here' } });
    expect(missing.errorMessage).toContain('nobody-here');

    const denied = (
      await byName('ListUsers', (x: { errorCode: string }) => x.errorCode === 'NoPermission')
    ).find((x: { errorCode: string }) => x.errorCode === 'NoPermission');
    expect(denied).toMatchObject({
      userIdentity: {
        type: 'ram-user',
        userName: user.userName,
        accessKeyId: user.keys.accessKeyId,
        accountId: server.accountId,
      },
    });
    expect(denied.userIdentity.sessionContext.attributes.mfaAuthenticated).toBe('false');

    const badInput = (await byName('CreateUser')).find((x: { errorCode: string }) =>
      x.errorCode.startsWith('InvalidParameter'),
    );
    expect(badInput).toMatchObject({ requestParameters: { UserName: 'bad name!' } });

    const badSignature = (await byName('ListUsers')).find(
      (x: { errorCode: string }) => x.errorCode === 'SignatureDoesNotMatch',
    );
    expect(badSignature).toMatchObject({
      userIdentity: { type: 'root-account', accessKeyId: server.rootAccessKeyId },
    });
    // The string to sign (every parameter) is not kept.
    expect(badSignature.errorMessage).not.toContain('string to sign');
    expect(badSignature.requestParameters.Signature).toBe('****');
  });

  it('redacts passwords, secrets, signatures and MFA codes', async () => {
    const change = (await byName('ChangePassword'))[0];
    expect(change.requestParameters).toMatchObject({ OldPassword: '****', NewPassword: '****' });
    expect(change.userIdentity.userName).toBe(user.userName);
    const profile = (await byName('CreateLoginProfile')).find(
      (e: { requestParameters: { UserName: string } }) => e.requestParameters.UserName === userName,
    );
    expect(profile.requestParameters.Password).toBe('****');
    const bind = (await byName('BindMFADevice'))[0];
    expect(bind.requestParameters).toMatchObject({
      AuthenticationCode1: '****',
      AuthenticationCode2: '****',
    });
    // A V2 (pop-core) call carries its Signature as a parameter.
    expect(profile.requestParameters.Signature).toBe('****');
    // Scan the whole store: no secret any call sent or received, nor any signature.
    const rows = await storedEvents(db);
    expect(rows.length).toBeGreaterThan(10);
    const text = rows.map((r) => r.body).join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
    for (const r of rows) {
      const sig = r.event.requestParameters.Signature;
      if (sig !== undefined) expect(sig).toBe('****');
    }
  });

  it('keeps the names of what a call acted on: a parameter that only sounds secret scrubs nothing else', async () => {
    const target = uniq('decoyed');
    await call(root, 'CreateUser', { UserName: target });
    // DeleteUser declares no secret: `NotASecret` and `Password` are redacted where they stand only.
    await popCall(server, rootK, 'DeleteUser', { UserName: target, NotASecret: target, Password: target });
    const deleted = (
      await byName(
        'DeleteUser',
        (x: { requestParameters: { UserName?: string } }) => x.requestParameters.UserName === target,
      )
    ).find((x: { requestParameters: { UserName?: string } }) => x.requestParameters.UserName === target);
    expect(deleted).toMatchObject({
      resourceName: target,
      errorCode: '',
      requestParameters: { UserName: target, NotASecret: '****', Password: '****' },
    });
    expect(JSON.stringify(deleted.referencedResources)).toContain(target);

    // V3 is routed by its headers: an Action or Version in its query named nothing and is not kept.
    const query: [string, string][] = [
      ['UserName', userName],
      ['Action', 'DeleteUser'],
      ['Version', '2019-08-15'],
    ];
    const headers = signRequestV3({
      method: 'POST',
      host: server.host,
      action: 'GetUser',
      version: '2015-05-01',
      query,
      accessKeyId: rootK.accessKeyId,
      accessKeySecret: rootK.accessKeySecret,
    });
    const r = await fetch(
      `${server.endpoint}/?${query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`,
      {
        method: 'POST',
        headers,
      },
    );
    const requestId = ((await r.json()) as { RequestId: string; User?: unknown }).RequestId;
    expect(r.status).toBe(200);
    const read = (await byName('GetUser', (x: { requestId: string }) => x.requestId === requestId)).find(
      (x: { requestId: string }) => x.requestId === requestId,
    );
    expect(read.requestParameters).toEqual({ UserName: userName });
  });

  it('filters by every LookupAttribute key', async () => {
    // The user's name where no resource is named: a display name of another user.
    const decoy: string = (
      await popCall(server, rootK, 'UpdateUser', { UserName: user.userName, NewDisplayName: userName })
    ).RequestId;
    const all = await eventually(async () => {
      const r = await lookup(server, rootK, { MaxResults: '50' });
      expect(r.Events.length).toBeGreaterThan(5);
      return r.Events;
    });
    const created = all.find(
      (x: { eventName: string; errorCode: string }) => x.eventName === 'CreateUser' && x.errorCode === '',
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const cases: [string, string, (e: any) => boolean][] = [
      ['ServiceName', 'Ram', (e) => e.serviceName === 'Ram'],
      ['EventName', 'GetUser', (e) => e.eventName === 'GetUser'],
      ['User', user.userName, (e) => e.userIdentity.userName === user.userName],
      ['EventId', created.eventId, (e) => e.eventId === created.eventId],
      // The main resource, or one the event references (BindMFADevice is about its device).
      [
        'ResourceType',
        'ACS::RAM::User',
        (e) => e.resourceType === 'ACS::RAM::User' || e.referencedResources?.['ACS::RAM::User'] !== undefined,
      ],
      [
        'ResourceName',
        userName,
        (e) =>
          e.resourceName === userName ||
          Object.values(e.referencedResources ?? {}).some((names) => (names as string[]).includes(userName)),
      ],
      ['EventRW', 'Write', (e) => e.eventRW === 'Write'],
      ['EventRW', 'Read', (e) => e.eventRW === 'Read'],
      [
        'EventAccessKeyId',
        user.keys.accessKeyId,
        (e) => e.userIdentity.accessKeyId === user.keys.accessKeyId,
      ],
      [
        'SensitiveAction',
        'true',
        (e) =>
          [
            'ChangePassword',
            'CreateLoginProfile',
            'BindMFADevice',
            'CreateAccessKey',
            'CreateVirtualMFADevice',
            'AttachPolicyToUser',
            'CreatePolicy',
          ].includes(e.eventName),
      ],
      ['SourceIpAddress', '127.0.0.1', (e) => e.sourceIpAddress === '127.0.0.1'],
      ['EventType', 'ApiCall', (e) => e.eventType === 'ApiCall'],
    ];
    for (const [key, value, match] of cases) {
      const r = await lookup(server, rootK, { ...attributes([key, value]), MaxResults: '50' });
      expect(r.Events.length, `${key}=${value}`).toBeGreaterThan(0);
      for (const e of r.Events) expect(match(e), `${key}=${value}: ${e.eventName}`).toBe(true);
      // Exactly the events of the unfiltered page that match (when the page held them all).
      // (Later events, these lookups among them, may have come on top.)
      if (all.length < 50) {
        const seen = new Set(all.map((e: { eventId: string }) => e.eventId));
        const kept = r.Events.filter((e: { eventId: string }) => seen.has(e.eventId));
        expect(kept.map((e: { eventId: string }) => e.eventId)).toEqual(
          all.filter(match).map((e: { eventId: string }) => e.eventId),
        );
      }
    }
    // A resource the event references counts; the name anywhere else in the event does not.
    const named = (
      await lookup(server, rootK, { ...attributes(['ResourceName', userName]), MaxResults: '50' })
    ).Events as { eventName: string; eventId: string }[];
    expect(named.map((e) => e.eventName)).toContain('BindMFADevice');
    expect(named.map((e) => e.eventId)).not.toContain(decoy);
    // Two conditions: AND.
    const both = await lookup(server, rootK, attributes(['ServiceName', 'Ram'], ['EventName', 'CreateUser']));
    expect(both.Events.every((e: { eventName: string }) => e.eventName === 'CreateUser')).toBe(true);
    // A value matches exactly and case-sensitively.
    expect((await lookup(server, rootK, attributes(['EventName', 'createuser']))).Events).toEqual([]);
  });

  it('pages newest first with NextToken and MaxResults, and FORWARD oldest first', async () => {
    const whole = (await lookup(server, rootK, { MaxResults: '50' })).Events as {
      eventId: string;
      eventTime: string;
    }[];
    expect(whole.length).toBeGreaterThan(6);
    for (let i = 1; i < whole.length; i++) expect(whole[i - 1]!.eventTime >= whole[i]!.eventTime).toBe(true);
    // The same window, three at a time (the token keeps the window of the first page).
    const window = { StartTime: (await lookup(server, rootK, { MaxResults: '1' })).StartTime as string };
    void window;
    const paged: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await lookup(server, rootK, { MaxResults: '3', ...(token ? { NextToken: token } : {}) });
      expect(r.Events.length).toBeLessThanOrEqual(3);
      paged.push(...r.Events.map((e: { eventId: string }) => e.eventId));
      token = r.NextToken;
      pages++;
    } while (token && pages < 100);
    // Later events (these lookups) may have been added on top: the pages cover the first list in order.
    const startAt = paged.indexOf(whole[0]!.eventId);
    expect(startAt).toBeGreaterThanOrEqual(0);
    expect(paged.slice(startAt, startAt + whole.length)).toEqual(whole.map((e) => e.eventId));
    expect(new Set(paged).size).toBe(paged.length);

    const forward = await lookup(server, rootK, { Direction: 'FORWARD', MaxResults: '5' });
    for (let i = 1; i < forward.Events.length; i++)
      expect(forward.Events[i - 1].eventTime <= forward.Events[i].eventTime).toBe(true);
    expect(forward.Events[0].eventName).toBe('CreateUser');
  });

  it('answers the window it searched and honours StartTime/EndTime', async () => {
    const r = await lookup(server, rootK);
    expect(r.StartTime).toMatch(/Z$/);
    expect(Date.parse(r.EndTime) - Date.parse(r.StartTime)).toBe(7 * 24 * 3600 * 1000);
    expect(r.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const past = await lookup(server, rootK, {
      StartTime: '2020-01-01T00:00:00Z',
      EndTime: '2020-01-02T00:00:00Z',
    });
    expect(past).toMatchObject({
      StartTime: '2020-01-01T00:00:00Z',
      EndTime: '2020-01-02T00:00:00Z',
      Events: [],
      NextToken: '',
    });
  });

  it('refuses bad filters with InvalidParameter and names the parameter', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [attributes(['NoSuchKey', 'x']), /LookupAttribute\.1\.Key/],
      [{ 'LookupAttribute.1.Key': 'EventName' }, /LookupAttribute\.1\.Value/],
      [attributes(['EventRW', 'Both']), /EventRW/],
      [attributes(['SensitiveAction', 'yes']), /SensitiveAction/],
      [attributes(['User', 'a'], ['EventId', 'b']), /cannot combine/],
      [{ MaxResults: '51' }, /MaxResults/],
      [{ MaxResults: '0' }, /MaxResults/],
      [{ MaxResults: 'ten' }, /MaxResults/],
      [{ StartTime: '2026-01-01T00:00:00Z' }, /EndTime|StartTime/],
      [{ StartTime: '2026-01-02T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' }, /StartTime/],
      [{ StartTime: '2026-13-01T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' }, /StartTime/],
      [{ StartTime: '2026-01-01 00:00:00', EndTime: '2026-01-02T00:00:00Z' }, /StartTime/],
      [{ Direction: 'SIDEWAYS' }, /Direction/],
      [{ NextToken: 'not-a-token' }, /NextToken/],
    ];
    for (const [params, message] of cases) {
      const f = await popFailure(lookup(server, rootK, params));
      expect(f.code, JSON.stringify(params)).toBe('InvalidParameter');
      expect(f.status).toBe(400);
      expect(f.data.Message).toMatch(message);
    }
    // Attributes beyond the second are ignored, not checked: the answer is the first two's.
    const two = attributes(['ServiceName', 'Ram'], ['EventName', 'GetUser']);
    const three = await lookup(server, rootK, {
      ...two,
      'LookupAttribute.3.Key': 'NoSuchKey',
      'LookupAttribute.3.Value': 'x',
      'LookupAttribute.4.Key': 'EventName',
      MaxResults: '50',
    });
    const eventIds = (r: { Events: { eventId: string }[] }) => r.Events.map((e) => e.eventId);
    expect(eventIds(three)).toEqual(eventIds(await lookup(server, rootK, { ...two, MaxResults: '50' })));
    // A token is sealed: one altered, or one made by the caller (its window widened, its place
    // moved, its query fingerprint worked out from what the caller knows), is refused.
    const window = { StartTime: '2026-01-01T00:00:00Z', EndTime: '2030-01-01T00:00:00Z', MaxResults: '1' };
    const first = await lookup(server, rootK, window);
    expect(first.NextToken).not.toBe('');
    const tokens = [...first.NextToken];
    const flipAt = tokens.length - 5;
    tokens[flipAt] = tokens[flipAt] === 'A' ? 'B' : 'A';
    const fingerprint = (startTime: string, endTime: string) =>
      createHash('sha256')
        .update(JSON.stringify([server.accountId, startTime, endTime, 'BACKWARD', []]))
        .digest('base64url')
        .slice(0, 22);
    const made = (token: Record<string, unknown>) => Buffer.from(JSON.stringify(token)).toString('base64url');
    const wide = ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z'];
    for (const [what, params] of [
      ['altered', { ...window, NextToken: tokens.join('') }],
      [
        'made, no window given',
        {
          MaxResults: '1',
          NextToken: made({ v: 1, w: wide, t: '9999-12-31T23:59:59Z', s: 1e15, q: fingerprint('', '') }),
        },
      ],
      [
        'made, the window given',
        {
          ...window,
          NextToken: made({
            v: 1,
            w: [window.StartTime, window.EndTime],
            t: window.EndTime,
            s: 1e15,
            q: fingerprint(window.StartTime, window.EndTime),
          }),
        },
      ],
    ] as const) {
      const f = await popFailure(lookup(server, rootK, params));
      expect([what, f.code]).toEqual([what, 'InvalidParameter']);
    }
    expect((await lookup(server, rootK, { ...window, NextToken: first.NextToken })).Events).toHaveLength(1);
    // A token of another query is refused.
    const page = await lookup(server, rootK, { MaxResults: '1' });
    expect(page.NextToken).not.toBe('');
    const f = await popFailure(
      lookup(server, rootK, {
        MaxResults: '1',
        NextToken: page.NextToken,
        ...attributes(['EventRW', 'Read']),
      }),
    );
    expect(f.code).toBe('InvalidParameter');
  });

  it('is readable only by principals allowed actiontrail:LookupEvents, and only their account', async () => {
    const denied = await popFailure(lookup(server, user.keys));
    expect(denied.code).toBe('NoPermission');
    expect(denied.status).toBe(403);
    const r = await lookup(server, reader.keys, { MaxResults: '50' });
    expect(r.Events.length).toBeGreaterThan(0);
    for (const e of r.Events) expect(e.recipientAccountId ?? server.accountId).toBe(server.accountId);
    // The refusal itself is recorded.
    await byName(
      'LookupEvents',
      (e: { errorCode: string; userIdentity: { userName: string } }) =>
        e.errorCode === 'NoPermission' && e.userIdentity.userName === user.userName,
    );
  });

  it('records a request signed with an unknown AccessKey outside every account', async () => {
    const ghost = {
      accessKeyId: `LTAI${createHmac('sha1', 'x').update(randomUUID()).digest('hex').slice(0, 20)}`,
      accessKeySecret: 'ghost-secret-1234',
    };
    const f = await popFailure(popCall(server, ghost, 'GetUser', { UserName: 'x' }));
    expect(f.code).toBe('InvalidAccessKeyId.NotFound');
    const rows = await eventually(async () => {
      const list = (await storedEvents(db, '')).filter(
        (r) => r.event.userIdentity.accessKeyId === ghost.accessKeyId,
      );
      expect(list.length).toBe(1);
      return list;
    });
    expect(rows[0]!.event).toMatchObject({
      errorCode: 'InvalidAccessKeyId.NotFound',
      userIdentity: { type: 'unknown' },
    });
    expect(rows[0]!.body).not.toContain(ghost.accessKeySecret);
  });
});
