/**
 * `rampart migrate-store --from DIR --to postgres://...`: copies a SQLite deployment to an
 * empty PostgreSQL database, row for row (sealed secrets stay sealed under the same master
 * key; the audit chain keeps its hashes), in one transaction, then checks the copy: the row
 * count of every table equals the source's, the master key opens it, and the audit chains
 * verify. Stop the servers on DIR first (or copy from a `rampart backup` restored to a
 * directory of its own), so that nothing is written while the copy runs.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { checkDeploymentModes, ConfigError, keySource, masterKeyOptions } from '../config.js';
import { admitKeyring } from '../master-keys.js';
import { checkStore } from '../ops/store-check.js';
import {
  copyLiveNonces,
  copyRows,
  countDifferences,
  sqliteInUse,
  storeTables,
  tableCounts,
} from '../store/copy.js';
import { isPostgresUrl, openStore, sqliteFile } from '../store/index.js';
import { openDeployment } from '../server.js';
import { reportFailure } from './deployment-options.js';

interface MigrateFlags {
  readonly from?: string;
  readonly to?: string;
  readonly masterKeyFile?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  program
    .command('migrate-store')
    .description(
      'Copy a SQLite deployment (DIR) to an empty PostgreSQL database and verify the copy (row counts, master key, audit chains).',
    )
    .requiredOption('--from <dir>', 'the data directory of the SQLite deployment')
    .requiredOption('--to <url>', 'postgres://... of an empty database')
    .option(
      '--master-key-file <path>',
      'master key file (or RAMPART_MASTER_KEY_FILE; default DIR/master.key)',
    )
    .option('--json', 'print the result as one JSON object')
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await runMigrateStore(flags);
    });
}

export async function runMigrateStore(
  flags: MigrateFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    if (!flags.from) throw new ConfigError('--from DIR is required');
    if (!isPostgresUrl(flags.to)) throw new ConfigError('--to must be a postgres:// or postgresql:// URL');
    const keys = masterKeyOptions(flags, env);
    checkDeploymentModes(flags.from, keySource(flags.from, keys));
    // The copy is one snapshot: what a server still running writes after it is not copied.
    const sourceFile = sqliteFile(flags.from);
    if (existsSync(sourceFile) && sqliteInUse(sourceFile)) {
      process.stderr.write(
        `rampart migrate-store: warning: a server (or another rampart command) has ${flags.from} open; the copy is one snapshot, and what it writes after that is not copied: stop the servers first\n`,
      );
    }
    const source = await openDeployment({
      dataDir: flags.from,
      ...keys,
      requireExisting: true,
      audit: false,
    });
    try {
      const target = await openStore({ databaseUrl: flags.to });
      try {
        const tables = await storeTables(source.store);
        const targetTables = new Set(await storeTables(target));
        const missing = tables.filter((t) => !targetTables.has(t));
        if (missing.length > 0) throw new Error(`the target has no table ${missing.join(', ')}`);
        const before = await tableCounts(target, tables);
        const used = Object.entries(before).filter(([, n]) => n > 0);
        if (used.length > 0) {
          throw new ConfigError(
            `the target database is not empty (${used.map(([t, n]) => `${t}: ${n}`).join(', ')}); give an empty database`,
          );
        }
        // One snapshot of the source: a server still writing to it cannot make the copy's tables
        // disagree with each other (the docs still say to stop the servers first).
        const sourceCounts = await source.store.snapshot(async (db) => {
          const snapshot = { db, dialect: source.store.dialect };
          const counts = await tableCounts(snapshot, tables);
          await copyRows(snapshot, target, tables);
          return counts;
        });
        // The live claims of the nonce log: a request signed before the copy is not replayed after.
        sourceCounts.nonces =
          (sourceCounts.nonces ?? 0) + (await copyLiveNonces(sqliteFile(flags.from), target));
        await admitKeyring(target, source.keyring);
        const check = await checkStore(target, source.sealer);
        const differences = countDifferences(sourceCounts, check.counts);
        const ok = differences.length === 0 && check.audit.ok;
        const result = { from: flags.from, ok, counts: check.counts, differences, audit: check.audit };
        if (!ok) {
          process.stderr.write(
            `rampart migrate-store: the copy does not verify: ${[...differences, ...check.audit.problems].join('; ')}\n`,
          );
        }
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result)}\n`
            : `Copied ${Object.values(check.counts).reduce((a, b) => a + b, 0)} rows in ${tables.length} tables to PostgreSQL; counts ${differences.length === 0 ? 'equal' : 'DIFFER'}; ${check.audit.events} audit events, chains ${check.audit.ok ? 'verify' : 'DO NOT verify'}.${ok ? ' Start the nodes with --database-url and the same master key.' : ' Do not start nodes on it: drop the database and copy again from a stopped store.'}\n`,
        );
        return ok ? 0 : 1;
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  } catch (err) {
    return reportFailure('migrate-store', err);
  }
}
