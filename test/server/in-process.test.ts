/** The in-process server of the tests: real HTTP, a clock the test moves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { v3Call } from './http.js';

describe('in-process server with a test clock', () => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcessServer();
  });
  afterAll(() => s?.stop());

  it('signs requests against the moved clock: a request dated at real time is refused once the server clock is a day ahead', async () => {
    const key = { accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret };
    const ok = await v3Call(s, key, 'GetAccountAlias', {});
    expect(ok.status, ok.text).toBe(200);
    s.clock.advance(24 * 3600 * 1000);
    const late = await v3Call(s, key, 'GetAccountAlias', {});
    expect(late.status).toBe(400);
    expect(late.text).toContain('InvalidTimeStamp.Expired');
  });
});
