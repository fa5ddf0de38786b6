import * as Ram from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAvailable, pgSkipReason, ramClient, startServer, type TestServer } from '../helpers/server.js';
import { v3Call } from './http.js';

if (!pgAvailable) console.warn(pgSkipReason);

/** The same server on PostgreSQL: readiness, signatures, nonces and a round trip. */
describe.skipIf(!pgAvailable)('rampart serve on PostgreSQL', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ store: 'postgres' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('is ready and serves the official client', async () => {
    expect((await fetch(`${server.endpoint}/readyz`)).status).toBe(200);
    const ram = ramClient(server);
    await ram.createUser(new Ram.CreateUserRequest({ userName: 'pg-user' }));
    const r = await ram.getUser(new Ram.GetUserRequest({ userName: 'pg-user' }));
    expect(r.body!.user!.userName).toBe('pg-user');
  });

  it('refuses a replayed nonce', async () => {
    const key = { accessKeyId: server.rootAccessKeyId, accessKeySecret: server.rootAccessKeySecret };
    expect((await v3Call(server, key, 'GetAccountAlias', {}, { nonce: 'pg-nonce-1' })).status).toBe(200);
    const again = await v3Call(server, key, 'GetAccountAlias', {}, { nonce: 'pg-nonce-1' });
    expect(again.json().Code).toBe('SignatureNonceUsed');
  });
});
