import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  keyFileText,
  keySource,
  masterKeyId,
  masterKeyOptions,
  parseDatabaseOptions,
  readKeyring,
  resolveConfig,
  writePrivateFileAtomically,
} from '../src/config.js';
import { sealedKeyId } from '../src/crypto/seal.js';
import { tempDir } from './helpers/cli.js';

const removals: (() => void)[] = [];
afterEach(() => {
  for (const r of removals.splice(0)) r();
});
function dir(): string {
  const t = tempDir('rampart-config-');
  removals.push(t.remove);
  return t.dir;
}

describe('masterKeyOptions', () => {
  it.each([
    [
      { masterKeyFile: '/k' },
      { RAMPART_MASTER_KEY: 'x', RAMPART_MASTER_KEY_FILE: '/e' },
      { masterKeyFile: '/k' },
    ],
    [{}, { RAMPART_MASTER_KEY: 'x' }, { masterKey: 'x' }],
    [{}, { RAMPART_MASTER_KEY_FILE: '/e' }, { masterKeyFile: '/e' }],
    [{}, {}, {}],
  ])('flags %j, env %j -> %j', (flags, env, want) => {
    expect(masterKeyOptions(flags, env)).toEqual({ masterKey: undefined, masterKeyFile: undefined, ...want });
  });

  it('refuses both environment variables at once', () => {
    expect(() => masterKeyOptions({}, { RAMPART_MASTER_KEY: 'x', RAMPART_MASTER_KEY_FILE: '/e' })).toThrow(
      new ConfigError('set RAMPART_MASTER_KEY or RAMPART_MASTER_KEY_FILE, not both'),
    );
  });
});

describe('a keyring read from a file', () => {
  it('follows the file: a key added is read, a key put first seals, a key removed is still read', () => {
    const d = dir();
    const path = join(d, 'master.key');
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    writeFileSync(path, keyFileText([k1]));
    const ring = readKeyring(keySource(d, {}))!;
    const byK1 = ring.sealer.seal('one', 'c');
    expect(sealedKeyId(byK1)).toBe(masterKeyId(k1));

    // Another process seals under k2 once the file lists it first.
    writePrivateFileAtomically(path, keyFileText([k2, k1]));
    const byK2 = readKeyring(keySource(d, {}))!.sealer.seal('two', 'c');
    expect(ring.sealer.unsealText(byK2, 'c')).toBe('two');
    expect(sealedKeyId(ring.sealer.seal('three', 'c'))).toBe(masterKeyId(k2));

    writePrivateFileAtomically(path, keyFileText([k2]));
    expect(ring.sealer.unsealText(byK1, 'c')).toBe('one');
    expect(ring.ids()).toEqual([masterKeyId(k2), masterKeyId(k1)]);
  });

  it('keeps its keys when the file becomes unreadable', () => {
    const d = dir();
    const path = join(d, 'master.key');
    const k1 = randomBytes(32);
    writeFileSync(path, keyFileText([k1]));
    const ring = readKeyring(keySource(d, {}))!;
    writeFileSync(path, 'not a key\n');
    expect(sealedKeyId(ring.sealer.seal('x'))).toBe(masterKeyId(k1));
  });

  it('names the file of an invalid key', () => {
    const d = dir();
    writeFileSync(join(d, 'master.key'), 'abcd\n');
    expect(() => readKeyring(keySource(d, {}))).toThrow(
      `the master key in ${join(d, 'master.key')} is not valid: the master key must be 32 bytes`,
    );
  });
});

describe('writePrivateFileAtomically', () => {
  it('writes mode 0600, creates missing directories 0700, and leaves no temporary file', () => {
    const d = dir();
    const path = join(d, 'keys', 'master.key');
    writePrivateFileAtomically(path, 'one\n');
    writePrivateFileAtomically(path, 'two\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'keys')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(d, 'keys'))).toEqual(['master.key']);
  });
});

describe('RAMPART_SQLITE_ROW_CACHE', () => {
  it('is on by default, off when asked, and anything else is refused', () => {
    expect(parseDatabaseOptions({}).sqliteRowCache).toBe(true);
    expect(parseDatabaseOptions({ RAMPART_SQLITE_ROW_CACHE: 'off' }).sqliteRowCache).toBe(false);
    expect(() => parseDatabaseOptions({ RAMPART_SQLITE_ROW_CACHE: '1' })).toThrow(
      'RAMPART_SQLITE_ROW_CACHE must be on or off',
    );
  });
});

describe('RAMPART_SQLITE_WRITER_THREAD', () => {
  it('is on by default, off when asked, and anything else is refused', () => {
    expect(parseDatabaseOptions({}).sqliteWriterThread).toBe(true);
    expect(parseDatabaseOptions({ RAMPART_SQLITE_WRITER_THREAD: 'OFF' }).sqliteWriterThread).toBe(false);
    expect(parseDatabaseOptions({ RAMPART_SQLITE_WRITER_THREAD: 'on' }).sqliteWriterThread).toBe(true);
    expect(() => parseDatabaseOptions({ RAMPART_SQLITE_WRITER_THREAD: 'no' })).toThrow(ConfigError);
    expect(() => parseDatabaseOptions({ RAMPART_SQLITE_WRITER_THREAD: 'no' })).toThrow(
      'RAMPART_SQLITE_WRITER_THREAD must be on or off',
    );
  });
});

describe('RAMPART_AUDIT_RETENTION_DAYS', () => {
  const days = (v: string | undefined) =>
    resolveConfig(
      { data: '/nonexistent-rampart-data' },
      v === undefined ? {} : { RAMPART_AUDIT_RETENTION_DAYS: v },
    ).auditRetentionDays;
  it('is 90 by default and a whole number of days as digits, 1 to 36500', () => {
    expect(days(undefined)).toBe(90);
    expect(days('30')).toBe(30);
    expect(days('36500')).toBe(36500);
  });
  it.each(['1e3', '0x10', ' 7', '7.0', '0', '36501', '-1', 'ninety'])('refuses %j', (v) => {
    expect(() => days(v)).toThrow(
      'RAMPART_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500',
    );
  });
});
