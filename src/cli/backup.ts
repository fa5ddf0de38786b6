/**
 * `rampart backup --data DIR --out FILE`: a consistent copy of the SQLite database of DIR,
 * taken while servers keep serving (one read snapshot; writers are not held up).
 * `rampart restore --from FILE --data DIR [--force]`: puts a backup in place as DIR's
 * database (servers on DIR stopped: --force refuses a database still open), then checks it: row
 * counts and the audit chains. A restore that fails leaves DIR as it was.
 *
 * The master key is never in a backup: keep it apart, and give it to restore as to serve.
 * A PostgreSQL store is backed up with PostgreSQL's own tools (docs/scaling.md).
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkDeploymentModes, ConfigError, keySource, masterKeyOptions } from '../config.js';
import { checkStore } from '../ops/store-check.js';
import {
  backupSqliteFile,
  checkSqliteFile,
  setAsideName,
  sqliteFileCounts,
  sqliteInUse,
} from '../store/copy.js';
import { sqliteFile } from '../store/index.js';
import { openDeployment } from '../server.js';
import { reportFailure } from './deployment-options.js';

interface BackupFlags {
  readonly data?: string;
  readonly out?: string;
  readonly json?: boolean;
}

interface RestoreFlags {
  readonly data?: string;
  readonly from?: string;
  readonly masterKeyFile?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command('backup')
    .description(
      'Copy the SQLite database of a data directory to FILE, consistently, while servers keep running.',
    )
    .option('--data <dir>', 'data directory (or RAMPART_DATA)')
    .requiredOption('--out <file>', 'the backup file to create (must not exist)')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: BackupFlags) => {
      process.exitCode = await runBackup(flags);
    });
  program
    .command('restore')
    .description(
      'Put a backup in place as the database of a data directory (stop its servers first), then check it: row counts and audit chains.',
    )
    .option('--data <dir>', 'data directory (or RAMPART_DATA)')
    .requiredOption('--from <file>', 'the backup file (from rampart backup)')
    .option(
      '--master-key-file <path>',
      'master key file (or RAMPART_MASTER_KEY_FILE; default DIR/master.key)',
    )
    .option('--force', 'replace an existing database (it is kept as rampart.db.replaced-<time>)')
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: RestoreFlags) => {
      process.exitCode = await runRestore(flags);
    });
}

export async function runBackup(flags: BackupFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const dataDir = flags.data ?? env.RAMPART_DATA;
    if (!dataDir) throw new ConfigError('a data directory is required (--data DIR or RAMPART_DATA)');
    if (!flags.out) throw new ConfigError('--out FILE is required');
    const out = flags.out;
    if (lstatSync(out, { throwIfNoEntry: false })) throw new Error(`${out} already exists; give a new file`);
    const dir = dirname(resolve(out));
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new ConfigError(`cannot write ${out}: no directory ${dir}`);
    // The copy holds what the store holds (password hashes, sealed secrets, the audit trail).
    // It is made in a directory of its own, mode 0700, beside FILE, where no one else can open
    // it (nor its journal) while it is written, whatever the umask; then, complete and mode
    // 0600, it is linked to FILE, which fails if FILE was made meanwhile (a link is not followed).
    const work = mkdtempSync(join(dir, `.${basename(out)}.backup-`));
    let integrity: string;
    let counts: Record<string, number>;
    try {
      const copy = join(work, 'backup.db');
      integrity = backupSqliteFile(sqliteFile(dataDir), copy);
      if (integrity !== 'ok') throw new Error(`the backup does not pass integrity_check: ${integrity}`);
      counts = sqliteFileCounts(copy);
      try {
        linkSync(copy, out);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST')
          throw new Error(`${out} already exists; give a new file`);
        throw err;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const result = { file: out, bytes: statSync(out).size, integrity, counts };
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(result)}\n`
        : `Backed up ${sqliteFile(dataDir)} to ${out} (${result.bytes} bytes; ${counts.users ?? 0} users, ${counts.audit_events ?? 0} audit events). The master key is not in it: keep it apart.\n`,
    );
    return 0;
  } catch (err) {
    return reportFailure('backup', err);
  }
}

export async function runRestore(flags: RestoreFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const dataDir = flags.data ?? env.RAMPART_DATA;
    if (!dataDir) throw new ConfigError('a data directory is required (--data DIR or RAMPART_DATA)');
    if (!flags.from) throw new ConfigError('--from FILE is required');
    if (!existsSync(flags.from)) throw new ConfigError(`no such backup file: ${flags.from}`);
    const keys = masterKeyOptions(flags, env);
    checkDeploymentModes(dataDir, keySource(dataDir, keys));
    const integrity = checkSqliteFile(flags.from);
    if (integrity !== 'ok') throw new Error(`${flags.from} does not pass integrity_check: ${integrity}`);
    const file = sqliteFile(dataDir);
    if (existsSync(file)) {
      if (!flags.force) {
        throw new ConfigError(
          `${file} exists; stop the servers on ${dataDir} and give --force to replace it`,
        );
      }
      // --force replaces a database nobody has open: a server still running would go on
      // writing into the one set aside, and what it acknowledged would be lost.
      if (sqliteInUse(file)) {
        throw new ConfigError(
          `${file} is in use by a server or another rampart command on ${dataDir}: stop it, then restore`,
        );
      }
    }
    // A new deployment's directory, private like one `rampart init` makes.
    const madeDir = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    let replaced: string | undefined;
    if (existsSync(file)) {
      replaced = setAsideName(file, new Date());
      renameSync(file, replaced);
      // Its write-ahead log goes with it (it may hold committed transactions not yet copied into
      // the file): opened by its new name, the database finds it there.
      if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${replaced}-wal`);
    }
    // No -wal or -shm file of another database may be replayed over the backup.
    for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    const partial = `${file}.restoring`;
    copyFileSync(flags.from, partial);
    renameSync(partial, file);
    const d = await openDeployment({
      dataDir,
      ...keys,
      requireExisting: true,
      audit: false,
    }).catch((err: unknown) => {
      // The backup is in place but cannot be opened (a wrong master key, say): what restore
      // did is undone, so that the directory is as it was and a second try can be made.
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      if (replaced) {
        renameSync(replaced, file);
        if (existsSync(`${replaced}-wal`)) renameSync(`${replaced}-wal`, `${file}-wal`);
      }
      if (madeDir !== undefined) rmSync(madeDir, { recursive: true, force: true });
      if (err instanceof Error) {
        err.message = `${err.message} (nothing was restored${replaced ? `; ${file} is back in place` : ''})`;
      }
      throw err;
    });
    try {
      const check = await checkStore(d.store, d.sealer);
      const result = { data: dataDir, from: flags.from, replaced: replaced ?? null, ...check };
      if (!check.audit.ok) {
        process.stderr.write(
          `rampart restore: the audit chain does not verify: ${check.audit.problems.join('; ')}\n`,
        );
      }
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `Restored ${flags.from} into ${file}${replaced ? ` (the previous database is ${replaced})` : ''}; ${check.counts.users ?? 0} users, ${check.audit.events} audit events, chains ${check.audit.ok ? 'verify' : 'DO NOT verify'}.\n`,
      );
      return check.audit.ok ? 0 : 1;
    } finally {
      await d.close();
    }
  } catch (err) {
    return reportFailure('restore', err);
  }
}
