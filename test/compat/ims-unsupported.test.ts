/**
 * The IMS operations outside identity, through @alicloud/ims20190815: each is refused with
 * NotSupport.Operation (400), which the client raises as a client error carrying the code,
 * and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { UNSUPPORTED_IMS_ACTIONS } from '../../src/api/ims/unsupported.js';
import { STORES, expectFailure, ramUserWithKey } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';
import { ramClient } from '../helpers/server.js';

describe.each(STORES)('IMS operations outside identity (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers NotSupport.Operation for each, through the official client', async () => {
    const users = (await imsCall(ims, 'ListUsers')).Users.User.length;
    for (const action of UNSUPPORTED_IMS_ACTIONS) {
      const f = await expectFailure(
        imsCall(ims, action, {}),
        'NotSupport.Operation',
        400,
        `${action} is not supported`,
      );
      expect(f.message).toContain('docs/ims-api.md');
    }
    expect((await imsCall(ims, 'ListUsers')).Users.User).toHaveLength(users);
  });

  it('still authenticates first: a bad signature is refused before the operation', async () => {
    const bad = imsClient(server, { accessKeyId: server.rootAccessKeyId, accessKeySecret: 'wrong-secret' });
    await expectFailure(imsCall(bad, 'ListApplications'), 'SignatureDoesNotMatch', 400);
    const caller = await ramUserWithKey(server, ramClient(server));
    await expectFailure(
      imsCall(imsClient(server, caller.keys), 'ListApplications'),
      'NotSupport.Operation',
      400,
    );
  });
});
