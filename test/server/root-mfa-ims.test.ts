/** IMS reads the root's real MFA state: GetAccountMFAInfo and the security practice report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/crypto/totp.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import type { TestServer } from '../helpers/server.js';
import { imsCall, imsClient } from '../compat/ims-helpers.js';

describe('the root’s MFA through IMS', () => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcessServer();
  });
  afterAll(() => s?.stop());

  it('answers false, then true once the root has bound a device', async () => {
    const ims = imsClient(s as unknown as TestServer, {
      accessKeyId: s.rootAccessKeyId,
      accessKeySecret: s.rootAccessKeySecret,
    });
    expect((await imsCall(ims, 'GetAccountMFAInfo')).IsMFAEnable).toBe(false);
    const mfa = s.deployment.domain.mfa;
    const device = await mfa.createForLogon(s.accountId, { kind: 'root' });
    const step = totpStep(s.clock());
    await mfa.bindRoot(
      s.accountId,
      device.serialNumber,
      totpCode(device.base32StringSeed, step - 1),
      totpCode(device.base32StringSeed, step),
    );
    expect((await imsCall(ims, 'GetAccountMFAInfo')).IsMFAEnable).toBe(true);
    const report = await imsCall(ims, 'GetAccountSecurityPracticeReport');
    expect(report.AccountSecurityPracticeInfo.AccountSecurityPracticeUserInfo.BindMfa).toBe(true);
    // The credential report's root row says so too.
    await imsCall(ims, 'GenerateCredentialReport');
    let content: string | undefined;
    for (let i = 0; i < 200 && content === undefined; i++) {
      content = await imsCall(ims, 'GetCredentialReport').then(
        (r: { Content: string }) => r.Content,
        async () => void (await new Promise((r) => setTimeout(r, 25))),
      );
    }
    const [header, root] = Buffer.from(content!, 'base64')
      .toString('utf8')
      .split('\n')
      .map((line) => line.split(','));
    expect(root![0]).toBe('<root>');
    expect(root![header!.indexOf('mfa_active')]).toBe('true');
  });
});
