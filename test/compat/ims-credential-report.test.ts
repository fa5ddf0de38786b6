/**
 * The credential report through @alicloud/ims20190815 against a real server: generated in the
 * background, read as base64 CSV with the service's columns, paged with MaxItems / NextToken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { STORES, expectFailure, failure, grant, ramUserWithKey, uniq } from './ram-helpers.js';
import { imsCall, imsClient, type ImsClient } from './ims-helpers.js';
import { ramClient } from '../helpers/server.js';
import { CREDENTIAL_REPORT_COLUMNS } from '../../src/domain/credential-report.js';

describe.each(STORES)('IMS credential report (%s)', (store) => {
  let server: TestServer;
  let ims: ImsClient;

  beforeAll(async () => {
    server = await startServer({ store });
    ims = imsClient(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** GetCredentialReport once the generation is complete (it answers CredentialReport.InProgress until then). */
  async function readReport(params: Record<string, unknown> = {}) {
    for (let i = 0; i < 200; i++) {
      try {
        return await imsCall(ims, 'GetCredentialReport', params);
      } catch (e) {
        const f = await failure(Promise.reject(e));
        expect({ code: f.code, status: f.status }).toEqual({
          code: 'CredentialReport.InProgress',
          status: 409,
        });
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error('the credential report never completed');
  }

  it('answers EntityNotExist.CredentialReport before the first generation', async () => {
    await expectFailure(imsCall(ims, 'GetCredentialReport'), 'EntityNotExist.CredentialReport', 404);
  });

  it('generates the report in the background and answers it as base64 CSV, paged', async () => {
    const domain = (await imsCall(ims, 'GetDefaultDomain')).DefaultDomainName;
    const names = [uniq('r1'), uniq('r2')];
    for (const n of names)
      await imsCall(ims, 'CreateUser', { UserPrincipalName: `${n}@${domain}`, DisplayName: n });
    await imsCall(ims, 'CreateAccessKey', { UserPrincipalName: `${names[0]}@${domain}` });

    expect((await imsCall(ims, 'GenerateCredentialReport')).State).toMatch(/^(STARTED|INPROGRESS)$/);
    const whole = await readReport();
    expect(whole.IsTruncated).toBe('false');
    expect(whole.GeneratedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const lines = Buffer.from(whole.Content, 'base64').toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CREDENTIAL_REPORT_COLUMNS.join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows[0]![0]).toBe('<root>');
    expect(rows[0]![CREDENTIAL_REPORT_COLUMNS.indexOf('access_key_1_exist')]).toBe('true');
    const first = rows.find((r) => r[0] === `${names[0]}@${domain}`)!;
    expect(first[CREDENTIAL_REPORT_COLUMNS.indexOf('access_key_1_exist')]).toBe('true');
    expect(first[CREDENTIAL_REPORT_COLUMNS.indexOf('password_exist')]).toBe('false');
    expect(rows.find((r) => r[0] === `${names[1]}@${domain}`)).toBeDefined();

    const one = await imsCall(ims, 'GetCredentialReport', { MaxItems: '1' });
    expect(one.IsTruncated).toBe('true');
    const page1 = Buffer.from(one.Content, 'base64').toString('utf8').trimEnd().split('\n');
    expect(page1).toEqual([lines[0], lines[1]]);
    const two = await imsCall(ims, 'GetCredentialReport', { MaxItems: '1', NextToken: one.NextToken });
    expect(Buffer.from(two.Content, 'base64').toString('utf8').trimEnd().split('\n')).toEqual([
      lines[0],
      lines[2],
    ]);
    await expectFailure(imsCall(ims, 'GetCredentialReport', { MaxItems: '0' }), 'InvalidParameter', 400);
    await expectFailure(
      imsCall(ims, 'GetCredentialReport', { NextToken: 'not-a-token' }),
      'InvalidParameter',
      400,
    );
  });

  it('authorizes both operations as ram:GenerateCredentialReport / ram:GetCredentialReport', async () => {
    const ram = ramClient(server);
    const caller = await ramUserWithKey(server, ram);
    const mine = imsClient(server, caller.keys);
    await expectFailure(imsCall(mine, 'GenerateCredentialReport'), 'NoPermission', 403);
    await expectFailure(imsCall(mine, 'GetCredentialReport'), 'NoPermission', 403);
    await grant(ram, caller.userName, ['ram:GenerateCredentialReport', 'ram:GetCredentialReport']);
    await imsCall(mine, 'GenerateCredentialReport');
  });
});
