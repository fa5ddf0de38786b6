import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identityOf } from '../../src/api/audit-event.js';
import { factsText } from '../../src/audit/api-event.js';
import { createSealer } from '../../src/crypto/seal.js';
import { accessKeySealContext } from '../../src/domain/access-keys.js';
import type { Domain } from '../../src/domain/index.js';
import { createServices } from '../../src/domain/services.js';
import type { Store } from '../../src/store/index.js';

/**
 * A signing key is made once per stored row the store hands out again (a kept row of the SQLite
 * row cache: one frozen object for as long as it is current), and the caller's audit identity
 * once per principal. Nothing made from an old row outlives it, and nothing is kept from a row
 * the store may hand out changed.
 */
describe('signing keys of kept rows', () => {
  const sealer = createSealer([{ id: 'k1', key: randomBytes(32) }]);
  const id = 'LTAI5tRowsRowsRowsRowsRow';
  const row = (status: string, userName: string | null = 'alice', version = 3) => ({
    account_id: '1234567890123456',
    user_id: userName === null ? null : '2034',
    secret_sealed: sealer.seal('s3cr3t', accessKeySealContext(id)),
    status,
    user_name: userName,
    permissions_version: version,
  });

  /** Services over a store whose signing-key read answers `current.row`. */
  function servicesOver(current: { row: object | undefined }) {
    const store = { first: async () => current.row } as unknown as Store;
    return createServices(store, {} as Domain, sealer).credentials;
  }

  it('makes the key of a kept row once, and a new one when the row changes', async () => {
    const current = { row: Object.freeze(row('Active')) as object | undefined };
    const credentials = servicesOver(current);
    const first = await credentials.findSigningKey(id);
    expect(first).toMatchObject({
      accessKeyId: id,
      secret: 's3cr3t',
      status: 'Active',
      permissionsVersion: 3,
    });
    expect(first!.principal).toEqual({
      type: 'RAMUser',
      accountId: '1234567890123456',
      userId: '2034',
      userName: 'alice',
      accessKeyId: id,
    });
    expect(await credentials.findSigningKey(id)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first!.principal)).toBe(true);

    // The key disabled, the user renamed, the permissions changed: a new row, read at once.
    current.row = Object.freeze(row('Inactive', 'bob', 4));
    const after = await credentials.findSigningKey(id);
    expect(after).toMatchObject({
      status: 'Inactive',
      permissionsVersion: 4,
      principal: { userName: 'bob' },
    });
    // The owner gone: no key, however often it was found before.
    current.row = Object.freeze(row('Active', null));
    expect((await credentials.findSigningKey(id))?.principal).toEqual({
      type: 'Root',
      accountId: '1234567890123456',
      accessKeyId: id,
    });
    current.row = Object.freeze({ ...row('Active'), user_name: null, user_id: '2034' });
    expect(await credentials.findSigningKey(id)).toBeUndefined();
    current.row = undefined;
    expect(await credentials.findSigningKey(id)).toBeUndefined();
  });

  it('keeps nothing of a row the store may hand out changed (one not frozen)', async () => {
    const credentials = servicesOver({ row: row('Active') });
    const a = await credentials.findSigningKey(id);
    const b = await credentials.findSigningKey(id);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });

  it('makes the audit identity of a kept principal once per MFA state, as the same JSON text', async () => {
    const current = { row: Object.freeze(row('Active')) as object | undefined };
    const key = (await servicesOver(current).findSigningKey(id))!;
    const plain = identityOf(key.principal, id, false);
    const withMfa = identityOf(key.principal, id, true);
    expect(identityOf(key.principal, id, false)).toBe(plain);
    expect(identityOf(key.principal, id, true)).toBe(withMfa);
    expect(plain.sessionContext?.attributes.mfaAuthenticated).toBe('false');
    expect(withMfa.sessionContext?.attributes.mfaAuthenticated).toBe('true');
    // Under another AccessKeyId, or for a principal not kept, a new identity each time.
    expect(identityOf(key.principal, 'LTAIother', false)).toMatchObject({ accessKeyId: 'LTAIother' });
    const loose = { ...key.principal };
    expect(identityOf(loose, id, false)).not.toBe(identityOf(loose, id, false));
    expect(identityOf(loose, id, false)).toEqual(plain);

    // The facts carry the identity's JSON text, the same whether it was written before or not.
    const facts = {
      accountId: '1234567890123456',
      requestId: '01A243C1-E2B9-734C-9CDD-759DA9798992',
      receivedAtMs: Date.parse('2026-12-05T10:00:00Z'),
      name: 'GetUser',
      eventSource: 'ram.aliyuncs.com',
      serviceName: 'Ram',
      apiVersion: '2015-05-01',
      requestParameters: { UserName: 'alice' },
      scheme: 'http' as const,
      sourceIp: '127.0.0.1',
      userAgent: '',
      errorCode: '',
      errorMessage: '',
    };
    const kept = factsText({ ...facts, userIdentity: plain });
    expect(factsText({ ...facts, userIdentity: plain })).toBe(kept);
    expect(factsText({ ...facts, userIdentity: identityOf(loose, id, false) })).toBe(kept);
    expect(kept).toContain(JSON.stringify(plain));
  });
});
