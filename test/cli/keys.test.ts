import * as Ram from '@alicloud/ram20150501';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFileText } from '../../src/config.js';
import { parseMasterKeys } from '../../src/crypto/seal.js';
import { listOperatorActions } from '../../src/operator-log.js';
import { openDeployment } from '../../src/server.js';
import { call, totp, twoCodes } from '../compat/ram-helpers.js';
import { rampart, rampartJson, serveRefused, tempDir } from '../helpers/cli.js';
import { pgAvailable, pgSkipReason } from '../helpers/pg.js';
import { ramClient, rootKeys, startServer, type KeyPair, type TestServer } from '../helpers/server.js';

/**
 * `rampart keys rotate`: every sealed value is re-sealed under a new master key while the
 * server keeps running; keys and MFA devices made before the rotation keep working.
 */

if (!pgAvailable) console.warn(pgSkipReason);
const STORES = pgAvailable ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

interface Status {
  Keys: { KeyId: string; State: string }[];
  SealedValues: Record<string, Record<string, number>>;
  LoadedKeyIds: string[];
}

describe.each(STORES)('rampart keys rotate (%s)', (store) => {
  let server: TestServer;
  let dev: KeyPair;
  let seed: string;
  let storeArgs: string[];
  const scratch = tempDir('rampart-rotate-');

  beforeAll(async () => {
    server = await startServer({ store });
    storeArgs = [
      '--data',
      server.dataDir,
      ...(server.databaseUrl ? ['--database-url', server.databaseUrl] : []),
    ];
    const root = ramClient(server);
    await call(root, 'CreateUser', { UserName: 'dev' });
    const k = await call(root, 'CreateAccessKey', { UserName: 'dev' });
    dev = { accessKeyId: k.AccessKey.AccessKeyId, accessKeySecret: k.AccessKey.AccessKeySecret };
    await call(root, 'AttachPolicyToUser', {
      PolicyType: 'System',
      PolicyName: 'AdministratorAccess',
      UserName: 'dev',
    });
    const d = await call(root, 'CreateVirtualMFADevice', { VirtualMFADeviceName: 'dev-phone' });
    seed = d.VirtualMFADevice.Base32StringSeed;
    const [c1, c2] = twoCodes(seed);
    await call(root, 'BindMFADevice', {
      UserName: 'dev',
      SerialNumber: d.VirtualMFADevice.SerialNumber,
      AuthenticationCode1: c1,
      AuthenticationCode2: c2,
    });
  });

  afterAll(async () => {
    await server?.stop();
    scratch.remove();
  });

  const status = () => rampartJson<Status>(['keys', 'status', ...storeArgs]);
  const keyFile = () => join(server.dataDir, 'master.key');

  it('re-seals every value under a new key while the server runs; old keys and MFA devices keep working', async () => {
    const before = await status();
    const [oldId] = before.LoadedKeyIds;
    expect(before.Keys).toEqual([
      { KeyId: oldId, State: 'current', CreateDate: expect.any(String), RetireDate: null },
    ]);
    expect(before.SealedValues).toEqual({
      [oldId!]: { 'access_keys.secret_sealed': 2, 'mfa_devices.seed_sealed': 1 },
    });
    const oldKeyText = readFileSync(keyFile(), 'utf8');

    let newId: string;
    if (store === 'sqlite') {
      // One node: the key file is rewritten and the running server follows it.
      const r = await rampartJson<Record<string, unknown>>(['keys', 'rotate', ...storeArgs]);
      expect(r).toMatchObject({
        Status: 'rotated',
        RetiredKeyIds: [oldId],
        Resealed: { 'access_keys.secret_sealed': 2, 'mfa_devices.seed_sealed': 1 },
        KeyFile: keyFile(),
        OldKeyFile: `${keyFile()}.old`,
      });
      newId = r.CurrentKeyId as string;
      expect(parseMasterKeys(readFileSync(`${keyFile()}.old`, 'utf8'))).toEqual(parseMasterKeys(oldKeyText));
      expect(statSync(`${keyFile()}.old`).mode & 0o777).toBe(0o600);
    } else {
      // Several nodes: the first run only hands out the new key.
      const newKeyFile = join(scratch.dir, 'new.key');
      const p = await rampartJson<Record<string, string>>([
        'keys',
        'rotate',
        ...storeArgs,
        '--new-key-file',
        newKeyFile,
      ]);
      expect(p).toMatchObject({ Status: 'prepared', CurrentKeyId: oldId, NewKeyFile: newKeyFile });
      newId = p.NewKeyId!;
      expect(statSync(newKeyFile).mode & 0o777).toBe(0o600);
      expect((await status()).Keys.map((k) => k.State)).toEqual(['current']);
      const [oldKey] = parseMasterKeys(oldKeyText);
      const [newKey] = parseMasterKeys(readFileSync(newKeyFile, 'utf8'));
      // 1: every node reads the new key; 2: every node seals with it; 3: rotate.
      writeFileSync(keyFile(), keyFileText([oldKey!, newKey!]));
      writeFileSync(keyFile(), keyFileText([newKey!, oldKey!]));
      const r = await rampartJson<Record<string, unknown>>(['keys', 'rotate', ...storeArgs]);
      expect(r).toMatchObject({
        Status: 'rotated',
        CurrentKeyId: newId,
        RetiredKeyIds: [oldId],
        Resealed: { 'access_keys.secret_sealed': 2, 'mfa_devices.seed_sealed': 1 },
      });
      // 4: the old key leaves every node.
      writeFileSync(keyFile(), keyFileText([newKey!]));
    }
    expect(newId).not.toBe(oldId);

    const after = await status();
    expect(after.Keys.map((k) => [k.KeyId, k.State]).sort()).toEqual(
      [
        [oldId, 'retired'],
        [newId, 'current'],
      ].sort(),
    );
    expect(after.SealedValues).toEqual({
      [newId]: { 'access_keys.secret_sealed': 2, 'mfa_devices.seed_sealed': 1 },
    });
    expect(after.LoadedKeyIds).toEqual([newId]);

    // The running server verifies signatures made with keys created before the rotation.
    const asDev = await ramClient(server, dev).getUser(new Ram.GetUserRequest({ userName: 'dev' }));
    expect(asDev.body!.user!.userName).toBe('dev');
    const asRoot = await ramClient(server, rootKeys(server)).getAccountAlias();
    expect(asRoot.statusCode).toBe(200);
    // A key created now is sealed under the new key.
    await call(ramClient(server), 'CreateUser', { UserName: 'after' });
    await call(ramClient(server), 'CreateAccessKey', { UserName: 'after' });
    expect((await status()).SealedValues).toEqual({
      [newId]: { 'access_keys.secret_sealed': 3, 'mfa_devices.seed_sealed': 1 },
    });

    // The MFA device bound before the rotation still verifies codes.
    const d = await openDeployment({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
    try {
      const at = new Date(Date.now() + 120_000);
      expect(await d.domain.mfa.verifyUserCode(server.accountId, 'dev', totp(seed, at.getTime()), at)).toBe(
        true,
      );
      const log = await listOperatorActions(d.store);
      expect(log.filter((e) => e.action === 'keys.rotate')).toHaveLength(1);
      expect(JSON.stringify(log)).not.toContain(readFileSync(keyFile(), 'utf8').trim());
    } finally {
      await d.close();
    }

    // A node given only the retired key is refused.
    const old = await serveRefused(storeArgs, { RAMPART_MASTER_KEY: oldKeyText.trim() });
    expect(old.code).toBe(2);
    expect(old.stderr).toContain(`the master key ${oldId} (from RAMPART_MASTER_KEY) cannot open this store`);
    // A node that seals with the retired key first is refused too.
    const retiredFirst = await serveRefused(storeArgs, {
      RAMPART_MASTER_KEY: `${oldKeyText.trim()},${readFileSync(keyFile(), 'utf8').trim()}`,
    });
    expect(retiredFirst.code).toBe(2);
    expect(retiredFirst.stderr).toContain(`the master key ${oldId} (from RAMPART_MASTER_KEY) was retired`);
  });

  it('hands out a new key without changing the store when the key comes from RAMPART_MASTER_KEY', async () => {
    const current = readFileSync(keyFile(), 'utf8').trim();
    const r = await rampart(['keys', 'rotate', ...storeArgs, '--json'], { RAMPART_MASTER_KEY: current });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(out.Status).toBe('prepared');
    expect(out.NewMasterKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await status()).Keys.filter((k) => k.State === 'current')).toHaveLength(1);
  });

  it('refuses to run without the key that opens the store', async () => {
    const r = await rampart(['keys', 'rotate', ...storeArgs], { RAMPART_MASTER_KEY: 'ab'.repeat(32) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^rampart keys rotate: the master key mk[0-9a-f]{12} \(from RAMPART_MASTER_KEY\) cannot open this store/,
    );
  });
});
