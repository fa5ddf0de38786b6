/**
 * `rampart audit ...`: the audit trail.
 *   audit lookup     LookupEvents through the API (credentials and endpoint as for API calls),
 *                    every page, as a table or JSON Lines
 *   audit verify     checks the hash chains of a live store, or of an exported file
 *   audit export     writes the chains of a store as a JSON Lines file that verify reads
 *   audit retention  sets an account's retention in days
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, keySource, readKeyring, writePrivateFileAtomically } from '../config.js';
import {
  exportLines,
  parseExport,
  readChainMaterial,
  verifyChains,
  type VerifyResult,
} from '../audit/verify.js';
import { setRetention } from '../audit/retention.js';
import { openDeployment } from '../server.js';
import { DEFAULT_ENDPOINT, endpointUrl, networkFetchers, signedCall } from './call.js';
import {
  deploymentOptions,
  reportFailure,
  withDeploymentOptions,
  type DeploymentFlags,
} from './deployment-options.js';
import { CredentialsError, resolveCredentials } from './profile.js';

interface LookupFlags {
  readonly attribute?: string[];
  readonly start?: string;
  readonly end?: string;
  readonly direction?: string;
  readonly max?: string;
  readonly limit?: string;
  readonly output?: string;
  readonly profile?: string;
  readonly endpoint?: string;
}

interface VerifyFlags extends DeploymentFlags {
  readonly file?: string;
  readonly account?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('The audit trail: look events up, verify and export the chains.');
  audit
    .command('lookup')
    .description('LookupEvents (ActionTrail 2020-07-06) through the API, every page; newest first.')
    .option(
      '--attribute <Key=Value>',
      'a LookupAttribute condition (at most two), e.g. EventName=CreateUser',
      collect,
    )
    .option('--start <time>', 'StartTime, yyyy-MM-ddTHH:mm:ssZ (with --end)')
    .option('--end <time>', 'EndTime, yyyy-MM-ddTHH:mm:ssZ (with --start)')
    .option('--direction <dir>', 'BACKWARD (newest first, default) or FORWARD')
    .option('--max <n>', 'MaxResults per page (1..50)')
    .option('--limit <n>', 'stop after this many events')
    .option('--output <format>', 'table (default) or jsonl (one event per line)')
    .option('--profile <name>', 'credentials profile (else ALIBABA_CLOUD_* variables)')
    .option('--endpoint <H:P>', 'the API endpoint (or RAMPART_ENDPOINT)')
    .action(async (flags: LookupFlags) => {
      process.exitCode = await runLookup(flags);
    });
  withDeploymentOptions(
    audit
      .command('verify')
      .description(
        'Verify the hash chains of the store (or of --file): names the first event changed, removed, inserted or reordered. ' +
          'With the master key, checkpoint seals are checked too.',
      )
      .option('--file <path>', 'an exported file instead of the store (the master key is used when found)')
      .option('--account <id>', 'only this account'),
  ).action(async (flags: VerifyFlags) => {
    process.exitCode = await runVerify(flags);
  });
  withDeploymentOptions(
    audit
      .command('export')
      .description('Write the chains of the store as JSON Lines (events, checkpoints, heads) to --file.')
      .requiredOption('--file <path>', 'where to write (replaced whole by a new file of mode 0600)')
      .option('--account <id>', 'only this account'),
  ).action(async (flags: VerifyFlags) => {
    process.exitCode = await runExport(flags);
  });
  withDeploymentOptions(
    audit
      .command('retention')
      .description(
        "Set an account's retention in days (default 90); `default` goes back to the deployment default.",
      )
      .requiredOption('--account <id>', 'the account')
      .requiredOption('--days <n>', 'days, or default'),
  ).action(async (flags: VerifyFlags & { days: string }) => {
    process.exitCode = await runRetention(flags);
  });
}

function cell(v: unknown, width: number): string {
  const s = v === undefined || v === null ? '' : String(v);
  return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width);
}

const COLUMNS: readonly [string, number, (e: Record<string, unknown>) => unknown][] = [
  ['TIME', 20, (e) => e.eventTime],
  ['EVENT', 28, (e) => e.eventName],
  ['RW', 5, (e) => e.eventRW],
  ['USER', 24, (e) => (e.userIdentity as { userName?: string } | undefined)?.userName],
  ['SOURCE IP', 15, (e) => e.sourceIpAddress],
  ['RESOURCE', 30, (e) => e.resourceName],
  ['ERROR', 24, (e) => e.errorCode],
  ['EVENT ID', 36, (e) => e.eventId],
];

export async function runLookup(flags: LookupFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const params: [string, string][] = [];
  const output = flags.output ?? 'table';
  try {
    if (output !== 'table' && output !== 'jsonl') throw new ConfigError('--output must be table or jsonl');
    (flags.attribute ?? []).forEach((a, i) => {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new ConfigError(`--attribute needs Key=Value: ${a}`);
      params.push(
        [`LookupAttribute.${i + 1}.Key`, a.slice(0, eq)],
        [`LookupAttribute.${i + 1}.Value`, a.slice(eq + 1)],
      );
    });
    if (flags.start) params.push(['StartTime', flags.start]);
    if (flags.end) params.push(['EndTime', flags.end]);
    if (flags.direction) params.push(['Direction', flags.direction]);
    params.push(['MaxResults', flags.max ?? '50']);
    if (flags.limit !== undefined && !/^[1-9]\d{0,8}$/.test(flags.limit))
      throw new ConfigError(`--limit must be a whole number of events, at least 1: ${flags.limit}`);
  } catch (err) {
    process.stderr.write(`rampart audit lookup: ${(err as Error).message}\n`);
    return 2;
  }
  const limit = flags.limit !== undefined ? Number(flags.limit) : Infinity;
  let url: URL;
  let creds;
  try {
    url = endpointUrl(flags.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT));
    creds = (
      await resolveCredentials({
        profile: flags.profile,
        env,
        fetchers: networkFetchers(flags.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT)),
      })
    ).credentials;
  } catch (err) {
    if (err instanceof CredentialsError || err instanceof Error) {
      process.stderr.write(`rampart audit lookup: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (output === 'table') process.stdout.write(`${COLUMNS.map(([h, w]) => cell(h, w)).join(' ')}\n`);
  let token = '';
  let shown = 0;
  do {
    let answer;
    try {
      answer = await signedCall(url, creds, 'actiontrail', 'LookupEvents', [
        ...params,
        ...(token ? [['NextToken', token] as [string, string]] : []),
      ]);
    } catch (err) {
      process.stderr.write(`rampart audit lookup: cannot reach ${url.origin}: ${(err as Error).message}\n`);
      return 1;
    }
    if (answer.status < 200 || answer.status >= 300) {
      process.stderr.write(`${answer.body}\n`);
      return 1;
    }
    const page = JSON.parse(answer.body) as { Events: Record<string, unknown>[]; NextToken?: string };
    for (const e of page.Events) {
      if (shown >= limit) return 0;
      process.stdout.write(
        output === 'jsonl'
          ? `${JSON.stringify(e)}\n`
          : `${COLUMNS.map(([, w, f]) => cell(f(e), w)).join(' ')}\n`,
      );
      shown++;
    }
    token = page.NextToken ?? '';
  } while (token && shown < limit);
  return 0;
}

function printVerify(result: VerifyResult, json: boolean | undefined): number {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const seals = result.sealsChecked
      ? 'checkpoint seals checked'
      : 'checkpoint seals NOT checked (no master key)';
    process.stdout.write(
      `${result.ok ? 'OK' : 'FAILED'}: ${result.events} event(s) in ${result.accounts} chain(s), ${result.checkpoints} checkpoint(s); ${seals}\n`,
    );
    for (const f of result.findings)
      process.stdout.write(`  account ${f.accountId || '(none)'}: ${f.message}\n`);
    for (const n of result.notes)
      process.stdout.write(`  note: account ${n.accountId || '(none)'}: ${n.message}\n`);
  }
  return result.ok ? 0 : 1;
}

export async function runVerify(flags: VerifyFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    if (flags.file) {
      const material = parseExport(readFileSync(flags.file, 'utf8'));
      let sealer;
      const dataDir = flags.data ?? env.RAMPART_DATA;
      if (dataDir || flags.masterKeyFile || env.RAMPART_MASTER_KEY || env.RAMPART_MASTER_KEY_FILE) {
        const o = deploymentOptions({ ...flags, data: dataDir ?? '.' }, env);
        sealer = readKeyring(keySource(o.dataDir, o))?.sealer;
      }
      const filtered =
        flags.account === undefined
          ? material
          : {
              records: material.records.filter((r) => r.accountId === flags.account),
              checkpoints: material.checkpoints.filter((r) => r.accountId === flags.account),
              heads: material.heads.filter((r) => r.accountId === flags.account),
            };
      // An account the file holds nothing of (a mistyped id) is not a chain that verifies.
      if (flags.account !== undefined && filtered.records.length + filtered.heads.length === 0)
        throw new ConfigError(`${flags.file} holds no audit events of account ${flags.account}`);
      return printVerify(verifyChains(filtered, sealer), flags.json);
    }
    const d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true, audit: false });
    try {
      const material = await readChainMaterial(d.store, flags.account);
      if (
        flags.account !== undefined &&
        material.records.length + material.heads.length === 0 &&
        !(await d.domain.accounts.get(flags.account).catch(() => undefined))
      ) {
        throw new ConfigError(`no such account: ${flags.account}`);
      }
      return printVerify(verifyChains(material, d.sealer), flags.json);
    } finally {
      await d.close();
    }
  } catch (err) {
    return reportFailure('audit verify', err);
  }
}

export async function runExport(flags: VerifyFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const dir = dirname(resolve(flags.file!));
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new ConfigError(`cannot write ${flags.file}: no directory ${dir}`);
    const d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true, audit: false });
    try {
      const material = await readChainMaterial(d.store, flags.account);
      const lines = exportLines(material);
      // The trail is not for every reader: a new file of mode 0600, renamed over the old export
      // (a scheduled export names the same file each time). A file or symbolic link already
      // there is replaced, never written through, and a reader sees one whole export or the other.
      writePrivateFileAtomically(flags.file!, lines.length ? `${lines.join('\n')}\n` : '');
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ events: material.records.length, checkpoints: material.checkpoints.length, file: flags.file })}\n`
          : `exported ${material.records.length} event(s) and ${material.checkpoints.length} checkpoint(s) to ${flags.file}\n`,
      );
      return 0;
    } finally {
      await d.close();
    }
  } catch (err) {
    return reportFailure('audit export', err);
  }
}

export async function runRetention(
  flags: VerifyFlags & { days: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const days = flags.days === 'default' ? null : Number(flags.days);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 36500)) {
      throw new ConfigError('--days must be a whole number of days from 1 to 36500, or default');
    }
    const d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true, audit: false });
    try {
      if (!(await d.domain.accounts.get(flags.account!).catch(() => undefined))) {
        throw new ConfigError(`no such account: ${flags.account}`);
      }
      await setRetention(d.store, flags.account!, days);
      process.stdout.write(
        `account ${flags.account}: audit retention ${days === null ? 'default' : `${days} day(s)`}\n`,
      );
      return 0;
    } finally {
      await d.close();
    }
  } catch (err) {
    return reportFailure('audit retention', err);
  }
}
