/**
 * `rampart keys ...`: the master key of a deployment, on its store directly.
 *   keys rotate   re-seal every sealed value under a new master key, online (docs/operations.md)
 *   keys status   the keys the store records, how many values each seals, the keys given here
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  ConfigError,
  keyFileText,
  masterKeyId,
  readKeyMaterial,
  readKeyring,
  removeStaleTemporaries,
  writePrivateFileAtomically,
  type KeySource,
} from '../config.js';
import { generateMasterKey } from '../crypto/seal.js';
import { keyRecords, rotateStore, sealedValueCounts } from '../master-keys.js';
import { recordOperatorAction } from '../operator-log.js';
import { openDeployment, type Deployment } from '../server.js';
import {
  deploymentOptions,
  reportFailure,
  withDeploymentOptions,
  type DeploymentFlags,
} from './deployment-options.js';

interface RotateFlags extends DeploymentFlags {
  readonly newKeyFile?: string;
}

export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description('The master key that seals AccessKey secrets and MFA seeds.');
  withDeploymentOptions(
    keys
      .command('rotate')
      .description(
        'Re-seal every sealed value under a new master key while servers keep running. On SQLite with a key file: ' +
          'generates the key, writes it to the key file and rotates. Otherwise the first run writes the new key ' +
          '(--new-key-file) for you to give to every node, and a second run, with the new key first, rotates.',
      )
      .option('--new-key-file <path>', 'write a new key here (mode 0600) instead of rotating at once'),
  ).action(async (flags: RotateFlags) => {
    process.exitCode = await runRotate(flags);
  });
  withDeploymentOptions(
    keys.command('status').description('The keys the store records, and how many values each one seals.'),
  ).action(async (flags: DeploymentFlags) => {
    process.exitCode = await runStatus(flags);
  });
}

const print = (json: boolean | undefined, obj: unknown, lines: readonly string[]): void => {
  process.stdout.write(json ? `${JSON.stringify(obj)}\n` : `${lines.join('\n')}\n`);
};

function summarize(resealed: Record<string, number>): string {
  const parts = Object.entries(resealed).map(([col, n]) => `${n} ${col}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/**
 * Writes a key file (mode 0600, atomically), first removing the temporary files an earlier
 * write of it left when its process was killed between writing and renaming.
 */
function writeKeyFile(path: string, keys: readonly Uint8Array[]): void {
  removeStaleTemporaries(path);
  writePrivateFileAtomically(path, keyFileText(keys));
}

/** Rewrites a key file to hold only `keep`; the other keys go to PATH.old (kept with earlier ones). */
function retireFromKeyFile(source: KeySource & { kind: 'file' }, keep: string): string | undefined {
  const material = readKeyMaterial(source);
  const others = [...material.entries()].filter(([id]) => id !== keep);
  const kept = material.get(keep);
  if (others.length === 0 || !kept) return undefined;
  const oldPath = `${source.path}.old`;
  const earlier = existsSync(oldPath)
    ? readKeyMaterial({ kind: 'file', path: oldPath, label: oldPath })
    : new Map<string, Uint8Array>();
  for (const [id] of others) earlier.delete(id);
  writeKeyFile(oldPath, [...others.map(([, k]) => k), ...earlier.values()]);
  writeKeyFile(source.path, [kept]);
  return oldPath;
}

export async function runRotate(flags: RotateFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let d: Deployment | undefined;
  try {
    d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true });
    const source = d.keyring.source;
    const records = await keyRecords(d.store.db);
    const current = records.find((r) => r.state === 'current')!.keyId;
    const inProgress = records.some((r) => r.state === 'previous');
    const onlyNode = source.kind === 'file' && d.store.dialect === 'sqlite' && !flags.newKeyFile;
    let ring = d.keyring;

    if (ring.ids()[0] === current && !inProgress) {
      // A new key is needed.
      const key = generateMasterKey();
      const newKeyId = masterKeyId(key);
      if (!onlyNode) {
        return prepare(flags, current, newKeyId, key, source);
      }
      // One node on SQLite: the key file is where it reads its keys from, and it follows the
      // file. With the new key first and the old one after, it reads both and seals new values
      // under the new one from now on; then every value is re-sealed.
      const file = source as KeySource & { kind: 'file' };
      const material = readKeyMaterial(file);
      writeKeyFile(file.path, [key, ...material.values()]);
      ring = readKeyring(file)!;
    }

    const result = await rotateStore(d.store, ring);
    let oldFile: string | undefined;
    if (onlyNode) oldFile = retireFromKeyFile(source as KeySource & { kind: 'file' }, result.currentKeyId);
    await recordOperatorAction(d.store, {
      action: 'keys.rotate',
      detail: {
        currentKeyId: result.currentKeyId,
        retiredKeyIds: result.retiredKeyIds,
        resealed: result.resealed,
      },
    });
    const lines = [
      `Rotated the master key: ${result.currentKeyId} is current${
        result.retiredKeyIds.length > 0 ? `, ${result.retiredKeyIds.join(', ')} retired` : ''
      }.`,
      `  re-sealed: ${summarize(result.resealed)}`,
    ];
    if (onlyNode) {
      lines.push(`  key file:  ${source.label}${oldFile ? ` (retired keys kept in ${oldFile})` : ''}`);
    } else if (result.retiredKeyIds.length > 0) {
      lines.push(
        `  next: remove ${result.retiredKeyIds.join(', ')} from every node's key source; keep a copy to restore backups taken before now`,
      );
    }
    print(
      flags.json,
      {
        Status: 'rotated',
        CurrentKeyId: result.currentKeyId,
        RetiredKeyIds: result.retiredKeyIds,
        Resealed: result.resealed,
        ...(onlyNode ? { KeyFile: source.label } : {}),
        ...(oldFile ? { OldKeyFile: oldFile } : {}),
      },
      lines,
    );
    return 0;
  } catch (err) {
    return reportFailure('keys rotate', err);
  } finally {
    await d?.close();
  }
}

/**
 * Several nodes, or a key from RAMPART_MASTER_KEY: the new key is handed to the operator, who
 * gives it to every node before the store changes (docs/operations.md, the steps printed).
 */
function prepare(
  flags: RotateFlags,
  current: string,
  newKeyId: string,
  key: Uint8Array,
  source: KeySource,
): number {
  const hex = Buffer.from(key).toString('hex');
  if (flags.newKeyFile) {
    if (existsSync(flags.newKeyFile)) throw new ConfigError(`${flags.newKeyFile} exists; give a new path`);
    writeKeyFile(flags.newKeyFile, [key]);
  }
  const where = flags.newKeyFile ? `written to ${flags.newKeyFile}` : `${hex}  (shown once)`;
  print(
    flags.json,
    {
      Status: 'prepared',
      CurrentKeyId: current,
      NewKeyId: newKeyId,
      ...(flags.newKeyFile ? { NewKeyFile: flags.newKeyFile } : { NewMasterKey: hex }),
    },
    [
      `New master key ${newKeyId}: ${where}. Nothing in the store changed yet.`,
      `  1. On every node, add it after ${current} in the node's key source (${source.label}), and wait until every node holds it.`,
      `  2. On every node, put ${newKeyId} first, ${current} second.`,
      `  3. Run rampart keys rotate again with ${newKeyId} first: it re-seals every value and retires ${current}.`,
      `  4. Remove ${current} from every node's key source.`,
    ],
  );
  return 0;
}

export async function runStatus(
  flags: DeploymentFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let d: Deployment | undefined;
  try {
    d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true });
    const records = await keyRecords(d.store.db);
    const counts = Object.fromEntries(await sealedValueCounts(d.store));
    const ids = d.keyring.ids();
    print(
      flags.json,
      {
        Keys: records.map((r) => ({
          KeyId: r.keyId,
          State: r.state,
          CreateDate: r.createDate,
          RetireDate: r.retireDate,
        })),
        SealedValues: counts,
        KeySource: d.keyring.source.label,
        LoadedKeyIds: ids,
      },
      [
        'Master keys of this store:',
        ...records.map(
          (r) =>
            `  ${r.keyId}  ${r.state.padEnd(8)}  since ${r.createDate}${r.retireDate ? `, retired ${r.retireDate}` : ''}`,
        ),
        'Sealed values:',
        ...Object.entries(counts).map(([id, byColumn]) => `  ${id}: ${summarize(byColumn)}`),
        `Keys given here (${d.keyring.source.label}): ${ids.map((id, i) => (i === 0 ? `${id} (seals)` : id)).join(', ')}`,
      ],
    );
    return 0;
  } catch (err) {
    return reportFailure('keys status', err);
  } finally {
    await d?.close();
  }
}
