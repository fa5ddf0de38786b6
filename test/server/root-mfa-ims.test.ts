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
  });
});
