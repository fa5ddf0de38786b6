/**
 * Password logon with `name@<auxiliary domain>` over real HTTP (docs/logon.md), on SQLite and
 * PostgreSQL: the auxiliary domain (IMS SetUserSsoSettings AuxiliaryDomain) is unique across
 * the deployment ignoring case, resolves like the default domain, and an unknown one answers
 * exactly like a wrong password.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import type { KeyPair, TestServer } from '../helpers/server.js';
import { imsCall, imsClient, type ImsClient } from '../compat/ims-helpers.js';
import { expectFailure } from '../compat/ram-helpers.js';

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const JSON_HEADERS = { 'content-type': 'application/json', 'x-rampart-logon': '1' };

describe.each(STORES)('logon with an auxiliary domain (%s)', (store) => {
  let s: InProcessServer;
  let ims: ImsClient;
  let otherIms: ImsClient;
  let otherAccountId: string;
  const alias = `aux-${store}`;
  const AUX = `corp-${store}.example.com`;

  const clientOf = (keys: KeyPair): ImsClient => imsClient({ host: s.host } as TestServer, keys);

  beforeAll(async () => {
    s = await startInProcessServer({ store, accountAlias: alias });
    ims = clientOf({ accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret });
    otherAccountId = (await s.deployment.domain.accounts.create({ rootPassword: 'Other-root-pass1' }))
      .accountId;
    otherIms = clientOf(await s.deployment.domain.accounts.createRootAccessKey(otherAccountId));
    const d = s.deployment.domain;
    await d.users.create(s.accountId, { userName: 'alice' });
    await d.loginProfiles.create(s.accountId, 'alice', { password: 'Alice-pass-1' });
    await d.users.create(otherAccountId, { userName: 'alice' });
    await d.loginProfiles.create(otherAccountId, 'alice', { password: 'Other-alice-1' });
  });
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.deployment.store.db.deleteFrom('logon_throttle').execute();
  });

  async function logon(loginName: string, password: string) {
    const r = await fetch(`${s.endpoint}/logon`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ LoginName: loginName, Password: password }),
    });
    const body = (await r.json()) as Record<string, unknown>;
    return { status: r.status, body };
  }

  it('logs a RAM user on with name@<auxiliary domain>, the domain in any case, the default domains unaffected', async () => {
    const set = await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX.toUpperCase() });
    expect(set.UserSsoSettings).toMatchObject({ AuxiliaryDomain: AUX });
    for (const name of [
      `alice@${AUX}`,
      `ALICE@${AUX.toUpperCase()}`,
      `Alice@Corp-${store}.Example.COM`,
      `alice@${alias}.onaliyun.com`,
      `alice@${s.accountId}.onaliyun.com`,
    ]) {
      const r = await logon(name, 'Alice-pass-1');
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.Session).toMatchObject({
        Principal: { Type: 'RAMUser', AccountId: s.accountId, UserName: 'alice' },
      });
    }
    // The other account's alice is not reachable through this account's domain.
    expect((await logon(`alice@${AUX}`, 'Other-alice-1')).body).toMatchObject({
      Code: 'AuthenticationFail.Logon',
    });
  });

  it('refuses a second account the same auxiliary domain in any case, and changes nothing', async () => {
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX });
    await expectFailure(
      imsCall(otherIms, 'SetUserSsoSettings', { AuxiliaryDomain: AUX.toUpperCase() }),
      'EntityAlreadyExists.AuxiliaryDomain',
      409,
      `The auxiliary domain is already used by another account: ${AUX}.`,
    );
    expect((await imsCall(otherIms, 'GetUserSsoSettings')).UserSsoSettings).toMatchObject({
      AuxiliaryDomain: '',
    });
    // The holder may set it again (idempotent), and once it clears it the other account may take it.
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX });
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: '' });
    expect((await logon(`alice@${AUX}`, 'Alice-pass-1')).body).toMatchObject({
      Code: 'AuthenticationFail.Logon',
    });
    await imsCall(otherIms, 'SetUserSsoSettings', { AuxiliaryDomain: AUX });
    const r = await logon(`alice@${AUX}`, 'Other-alice-1');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Session).toMatchObject({ Principal: { AccountId: otherAccountId } });
    await expectFailure(
      imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX }),
      'EntityAlreadyExists.AuxiliaryDomain',
      409,
    );
    await imsCall(otherIms, 'SetUserSsoSettings', { AuxiliaryDomain: '' });
  });

  it('answers an unknown domain exactly like a wrong password', async () => {
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: AUX });
    const wrong = await logon(`alice@${AUX}`, 'Wrong-pass-1');
    const unknown = await logon(`alice@unknown-${store}.example.com`, 'Alice-pass-1');
    const noUser = await logon(`nobody@${AUX}`, 'Alice-pass-1');
    // Same status, code and message; only the request id (and the link that carries it) differ.
    const shape = (b: Record<string, unknown>) => ({ Code: b.Code, Message: b.Message, HostId: b.HostId });
    for (const r of [wrong, unknown, noUser]) {
      expect(r.status).toBe(401);
      expect(shape(r.body)).toEqual(shape(wrong.body));
    }
    expect(wrong.body).toMatchObject({ Code: 'AuthenticationFail.Logon' });
    // How long each takes is tested at the product's hash cost in logon-timing.test.ts.
  });

  it('ignores A-Z case only: the Kelvin sign is no k, in a domain to set nor in a login name', async () => {
    const kelvin = `kelvin-${store}.example.com`;
    // U+212A lower-cases to k under Unicode rules: refused as a non-ASCII domain, nothing stored.
    await expectFailure(
      imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: `\u212A${kelvin.slice(1)}` }),
      'InvalidParameter.AuxiliaryDomain',
      400,
    );
    expect((await imsCall(ims, 'GetUserSsoSettings')).UserSsoSettings).not.toMatchObject({
      AuxiliaryDomain: kelvin,
    });
    await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: kelvin.toUpperCase() });
    try {
      expect((await logon(`alice@${kelvin.toUpperCase()}`, 'Alice-pass-1')).status).toBe(200);
      // The right password, but a domain that only case-maps onto the account's.
      const r = await logon(`alice@\u212A${kelvin.slice(1)}`, 'Alice-pass-1');
      expect([r.status, r.body.Code]).toEqual([401, 'AuthenticationFail.Logon']);
    } finally {
      await imsCall(ims, 'SetUserSsoSettings', { AuxiliaryDomain: '' });
    }
  });
});
