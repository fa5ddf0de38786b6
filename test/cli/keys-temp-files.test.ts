/**
 * `rampart keys rotate` writes each key file through a temporary file (mode 0600) renamed into
 * place. A run killed between the write and the rename leaves that temporary file, a key in it,
 * beside the key file: the next run removes such leftovers before it writes (only names of the
 * writer's own pattern, in the key file's directory, of a process no longer running or old),
 * and never takes one for a key.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createKeyFile,
  keyFileText,
  masterKeyId,
  removeStaleTemporaries,
  writePrivateFileAtomically,
} from '../../src/config.js';
import { generateMasterKey, parseMasterKeys } from '../../src/crypto/seal.js';
import { rampart, rampartJson, tempDir } from '../helpers/cli.js';

const renamed = vi.hoisted(() => [] as string[]);
/** Set to fail the next write (a full disk), once. */
const failNextWrite = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    renameSync: (from: import('node:fs').PathLike, to: import('node:fs').PathLike) => {
      renamed.push(String(from));
      fs.renameSync(from, to);
    },
    writeSync: (...args: Parameters<typeof fs.writeSync>) => {
      if (failNextWrite.on) {
        failNextWrite.on = false;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return (fs.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});

/** The pid of a process that ran and ended: a run killed mid-write. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
};

interface Status {
  Keys: { KeyId: string; State: string }[];
  LoadedKeyIds: string[];
}

const plantKey = (path: string, mtime?: Date): string => {
  const key = generateMasterKey();
  writeFileSync(path, keyFileText([key]), { mode: 0o600 });
  if (mtime) utimesSync(path, mtime, mtime);
  return masterKeyId(key);
};

describe('the key file made for a new deployment', () => {
  const scratch = tempDir('rampart-keynew-');
  afterAll(() => scratch.remove());
  const source = (path: string) => ({ kind: 'file' as const, path, label: path });

  it('is written whole or not at all, and never over an existing one', () => {
    const dir = join(scratch.dir, 'data');
    const path = join(dir, 'master.key');
    // A write that fails midway leaves no key file (which the next start would take for a
    // damaged key) and no temporary file holding a key.
    failNextWrite.on = true;
    expect(() => createKeyFile(source(path))).toThrow(/ENOSPC/);
    expect(failNextWrite.on).toBe(false);
    expect(readdirSync(dir)).toEqual([]);

    const made = createKeyFile(source(path));
    const text = readFileSync(path, 'utf8');
    expect(parseMasterKeys(text).map(masterKeyId)).toEqual(made.ids());
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['master.key']);

    // Another node that started at the same moment finds the key made: its own is refused,
    // and the first one is left as it was.
    expect(() => createKeyFile(source(path))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['master.key']);
  });
});

describe('temporary key files left by a killed rotation', () => {
  const scratch = tempDir('rampart-keytmp-');
  const data = join(scratch.dir, 'data');
  const keyFile = join(data, 'master.key');
  const storeArgs = ['--data', data];
  const status = () => rampartJson<Status>(['keys', 'status', ...storeArgs]);

  beforeAll(async () => {
    const r = await rampart(['init', '--data', data, '--json']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => scratch.remove());

  it('match the name the key file writer gives its temporary file', () => {
    const dir = join(scratch.dir, 'naming');
    const target = join(dir, 'some.key');
    renamed.length = 0;
    writePrivateFileAtomically(target, keyFileText([generateMasterKey()]));
    expect(renamed).toHaveLength(1);
    const tmp = renamed[0]!;
    expect(tmp.startsWith(`${target}.`)).toBe(true);
    // The same name left by a process that is gone is recognised and removed.
    const left = tmp.replace(`.${process.pid}.`, `.${deadPid()}.`);
    writeFileSync(left, 'x', { mode: 0o600 });
    expect(removeStaleTemporaries(target)).toEqual([left]);
    expect(readdirSync(dir)).toEqual(['some.key']);
  });

  it('are removed by the next keys rotate (one node), never read as keys, and rotation works', async () => {
    const dead = deadPid();
    const hourAgo = new Date(Date.now() - 3600_000);
    const stale = {
      // A run killed while writing the key file with the new key first (or the key file alone).
      keyOfDead: join(data, `master.key.${dead}.0123abcd.tmp`),
      // A run killed while writing the retired keys.
      oldOfDead: join(data, `master.key.old.${dead}.89abcdef.tmp`),
      // A pid that runs again (reused), but the file is an hour old.
      keyOfReusedPid: join(data, `master.key.${process.pid}.aaaaaaaa.tmp`),
    };
    const kept = {
      // A write of another running process, under way: not ours to remove.
      inFlight: join(data, `master.key.${process.pid}.bbbbbbbb.tmp`),
      // Other names: not the writer's pattern, or not of this key file.
      noHex: join(data, `master.key.${dead}.tmp`),
      upperHex: join(data, `master.key.${dead}.0123ABCD.tmp`),
      backup: join(data, 'master.key.bak'),
      otherFile: join(data, `other.key.${dead}.0123abcd.tmp`),
    };
    const plantedIds = [
      plantKey(stale.keyOfDead),
      plantKey(stale.oldOfDead),
      plantKey(stale.keyOfReusedPid, hourAgo),
      plantKey(kept.inFlight),
      ...Object.values(kept)
        .slice(1)
        .map((p) => plantKey(p, hourAgo)),
    ];

    const before = await status();
    const [oldId] = before.LoadedKeyIds;
    expect(before.LoadedKeyIds).toHaveLength(1);
    for (const id of plantedIds) expect(before.LoadedKeyIds).not.toContain(id);

    const r = await rampartJson<Record<string, unknown>>(['keys', 'rotate', ...storeArgs]);
    expect(r).toMatchObject({ Status: 'rotated', RetiredKeyIds: [oldId], KeyFile: keyFile });
    const newId = r.CurrentKeyId as string;
    expect(plantedIds).not.toContain(newId);

    for (const [what, path] of Object.entries(stale)) expect(existsSync(path), what).toBe(false);
    for (const [what, path] of Object.entries(kept)) expect(existsSync(path), what).toBe(true);
    expect(
      readdirSync(data)
        .filter((n) => n.endsWith('.tmp'))
        .sort(),
    ).toEqual(
      Object.values(kept)
        .flatMap((p) => (p.endsWith('.tmp') ? [p.slice(data.length + 1)] : []))
        .sort(),
    );

    const after = await status();
    expect(after.LoadedKeyIds).toEqual([newId]);
    expect(after.Keys.map((k) => [k.KeyId, k.State]).sort()).toEqual(
      [
        [oldId, 'retired'],
        [newId, 'current'],
      ].sort(),
    );
    expect(parseMasterKeys(readFileSync(keyFile, 'utf8')).map(masterKeyId)).toEqual([newId]);
    expect(parseMasterKeys(readFileSync(`${keyFile}.old`, 'utf8')).map(masterKeyId)).toEqual([oldId]);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(`${keyFile}.old`).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
  });

  it('are removed beside --new-key-file before the new key is written there', async () => {
    const dir = join(scratch.dir, 'handout');
    mkdirSync(dir, { mode: 0o700 });
    const newKeyFile = join(dir, 'new.key');
    const left = join(dir, `new.key.${deadPid()}.cafe0123.tmp`);
    const leftId = plantKey(left);
    const p = await rampartJson<Record<string, string>>([
      'keys',
      'rotate',
      ...storeArgs,
      '--new-key-file',
      newKeyFile,
    ]);
    expect(p).toMatchObject({ Status: 'prepared', NewKeyFile: newKeyFile });
    expect(p.NewKeyId).not.toBe(leftId);
    expect(readdirSync(dir)).toEqual(['new.key']);
    expect(parseMasterKeys(readFileSync(newKeyFile, 'utf8')).map(masterKeyId)).toEqual([p.NewKeyId]);
    expect(statSync(newKeyFile).mode & 0o777).toBe(0o600);
  });
});
