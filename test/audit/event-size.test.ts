/**
 * The size of an API event is bounded in bytes of its stored JSON text: a refused request with
 * many long parameters of control characters (each escaped as six bytes) cannot make an event
 * of megabytes. Both renderers (the event object, and the packed facts of buffered events)
 * write the same bounded text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import {
  FactsRenderer,
  MAX_API_EVENT_BYTES,
  MAX_PARAMETERS_BYTES,
  MAX_VALUE_BYTES,
  PARAMETERS_LEFT_OUT,
  cutToBytes,
  factsText,
  renderApiEvent,
  type ApiEventFacts,
} from '../../src/audit/api-event.js';
import { eventually, storedEvents } from './helpers.js';

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

function facts(over: Partial<ApiEventFacts>): ApiEventFacts {
  return {
    accountId: '',
    requestId: 'B1D1B7A5-0000-4000-8000-000000000001',
    receivedAtMs: Date.parse('2026-12-05T10:00:00Z'),
    name: 'GetUser',
    eventSource: 'ram.aliyuncs.com',
    serviceName: 'Ram',
    apiVersion: '2015-05-01',
    requestParameters: { UserName: 'alice' },
    scheme: 'http',
    userIdentity: { type: 'unknown', accessKeyId: 'LTAInosuch' },
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    errorCode: 'InvalidAccessKeyId.NotFound',
    errorMessage: 'Specified access key is not found.',
    ...over,
  };
}

/** The event's JSON text both ways: the object's, and the packed facts' (buffered events). */
function bothTexts(f: ApiEventFacts): [string, string] {
  const packed = Buffer.from(factsText(f), 'utf8');
  const view = new FactsRenderer().render(packed, 0, packed.length);
  return [JSON.stringify(renderApiEvent(f)), Buffer.from(view.body).toString('utf8')];
}

const raw = '\x01';

describe('the size of an API event', () => {
  it.each([
    [
      '63 parameters of 16,380 control characters (the body limit, 6 bytes each in JSON)',
      {
        requestParameters: Object.fromEntries(
          Array.from({ length: 63 }, (_, i) => [`P${i}`, raw.repeat(16_380)]),
        ),
      },
    ],
    [
      'one parameter of 1 MiB already cut by characters',
      {
        requestParameters: {
          UserName: `${'"'.repeat(16_384)}...[cut: 1048576 characters]`,
          GroupName: 'g'.repeat(16_000),
        },
      },
    ],
    [
      'parameters with names of 100 KiB',
      {
        requestParameters: { [`N${'\\'.repeat(100_000)}`]: 'x', UserName: 'alice' },
      },
    ],
    [
      'a made-up AccessKeyId of 1 MiB, a long user agent and error message',
      {
        userIdentity: { type: 'unknown' as const, accessKeyId: raw.repeat(1024 * 1024) },
        userAgent: '\u2028'.repeat(1024),
        errorMessage: `bad: ${raw.repeat(200_000)}`,
        sourceIp: raw.repeat(10_000),
      },
    ],
  ])('%s: at most MAX_API_EVENT_BYTES, the same text both ways', (_, over) => {
    const f = facts(over);
    const [text, packed] = bothTexts(f);
    expect(packed).toBe(text);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_API_EVENT_BYTES);
    const event = JSON.parse(text) as { requestParameters: Record<string, string>; errorMessage: string };
    expect(jsonBytes(event.requestParameters)).toBeLessThanOrEqual(MAX_PARAMETERS_BYTES + 64);
    for (const v of Object.values(event.requestParameters))
      expect(jsonBytes(v)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect(jsonBytes(event.errorMessage)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
  });

  it('keeps the parameters that fit, says how many were left out, and marks each cut value', () => {
    const f = facts({
      requestParameters: Object.fromEntries(
        Array.from({ length: 63 }, (_, i) => [`P${i}`, raw.repeat(16_380)]),
      ),
    });
    const params = renderApiEvent(f).requestParameters as Record<string, string>;
    const kept = Object.keys(params).filter((k) => k !== PARAMETERS_LEFT_OUT);
    expect(kept.length).toBeGreaterThan(1);
    expect(params[PARAMETERS_LEFT_OUT]).toBe(`[cut: ${63 - kept.length} more parameter(s) not kept]`);
    expect(params.P0).toBe(`${raw.repeat(params.P0!.length - 26)}...[cut: 16380 characters]`);
    // A value cut by characters before keeps its first marker.
    expect(cutToBytes(`${'"'.repeat(16_384)}...[cut: 1048576 characters]`, MAX_VALUE_BYTES)).toMatch(
      /^"+\.\.\.\[cut: 1048576 characters\]$/,
    );
  });

  it('leaves an ordinary event as it was (a policy document of 5,700 characters is not cut)', () => {
    const f = facts({
      requestParameters: { PolicyDocument: `{"Statement":[${'{"Effect":"Allow"},'.repeat(300)}]}` },
    });
    expect(renderApiEvent(f).requestParameters).toEqual(f.requestParameters);
    // A character is never split: a surrogate pair is kept whole or cut whole.
    const cut = cutToBytes('😀'.repeat(5000), 100);
    expect(cut).toMatch(/^(?:😀)+\.\.\.\[cut: 10000 characters\]$/);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(100);
  });
});

describe.each(STORES)('an outsider cannot store an event of megabytes (%s)', (store) => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcessServer({ store });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a refused request of 1 MiB of control characters is stored in at most MAX_API_EVENT_BYTES', async () => {
    const parts = [
      'Action=GetUser',
      'Version=2015-05-01',
      'AccessKeyId=LTAInosuchkeyxxxxxxxxxxx',
      'UserName=x',
    ];
    // Raw control bytes, as a client may send them (a form body is not checked for them).
    for (let i = 0; i < 63; i++) parts.push(`P${i}=${raw.repeat(16_380)}`);
    const res = await fetch(`${s.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: parts.join('&'),
    });
    expect(res.status).toBe(400);
    await res.arrayBuffer();
    // Recorded once the AccessKey it names is looked up (and found missing).
    const events = await eventually(async () => {
      await s.deployment.audit.flush();
      const found = (await storedEvents(s.deployment.store, '')).filter(
        (e) => e.event.eventName === 'GetUser',
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(Buffer.byteLength(events[0]!.body)).toBeLessThanOrEqual(MAX_API_EVENT_BYTES);
    expect(events[0]!.event.requestParameters[PARAMETERS_LEFT_OUT]).toMatch(
      /^\[cut: \d+ more parameter\(s\) not kept\]$/,
    );
  });
});
