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
import {
  checkDeploymentModes,
  ConfigError,
  keySource,
  masterKeyOptions,
  readKeyring,
  writePrivateFileAtomically,
} from '../config.js';
import {
  exportLines,
  parseExport,
  readChainMaterial,
  verifyChains,
  type VerifyFinding,
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
  /** The file is the JSON Lines sink's: it has no sealed end. */
  readonly sink?: boolean;
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
      .option(
        '--sink',
        "with --file: the file is the JSON Lines sink's (RAMPART_AUDIT_FILE), which has no sealed end to check",
      )
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
    if (flags.direction !== undefined && flags.direction !== 'BACKWARD' && flags.direction !== 'FORWARD')
      throw new ConfigError(`--direction must be BACKWARD or FORWARD: ${flags.direction}`);
    if (flags.direction) params.push(['Direction', flags.direction]);
    if (flags.max !== undefined && !(/^[1-9]\d?$/.test(flags.max) && Number(flags.max) <= 50))
      throw new ConfigError(`--max must be a whole number from 1 to 50: ${flags.max}`);
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
        endpoint: flags.endpoint ?? (env.RAMPART_ENDPOINT || undefined),
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

/** Exit status of verify: 0 verified, 1 failed (something changed, removed or forged), 3 unproven. */
const VERIFY_EXIT = { verified: 0, failed: 1, unproven: 3 } as const;

function printVerify(result: VerifyResult, json: boolean | undefined): number {
  if (json) {
    // The command's ok is its exit 0: verified, not merely nothing found wrong.
    process.stdout.write(`${JSON.stringify({ ...result, ok: result.status === 'verified' })}\n`);
  } else {
    const seals = result.sealsChecked ? 'seals checked' : 'seals NOT checked (no master key)';
    const word = { verified: 'OK', failed: 'FAILED', unproven: 'UNPROVEN' }[result.status];
    process.stdout.write(
      `${word}: ${result.events} event(s) in ${result.accounts} chain(s), ${result.checkpoints} checkpoint(s); ${seals}\n`,
    );
    const where = (f: VerifyFinding) =>
      f.problem === 'export-end' || f.problem === 'unsealed-end'
        ? 'file'
        : `account ${f.accountId || '(none)'}`;
    for (const f of result.findings) process.stdout.write(`  ${where(f)}: ${f.message}\n`);
    for (const n of result.unproven) process.stdout.write(`  unproven: ${where(n)}: ${n.message}\n`);
  }
  return VERIFY_EXIT[result.status];
}

export async function runVerify(flags: VerifyFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    if (flags.sink && !flags.file) throw new ConfigError('--sink goes with --file');
    if (flags.file) {
      const text = readFileSync(flags.file, 'utf8');
      // An empty file is not a trail that verifies (an emptied one, or an export of the wrong store).
      if (text.replace(/^\uFEFF/, '').trim() === '')
        throw new ConfigError(`${flags.file} holds no audit lines`);
      const material = parseExport(text);
      let sealer;
      const dataDir = flags.data ?? env.RAMPART_DATA;
      if (dataDir || flags.masterKeyFile || env.RAMPART_MASTER_KEY || env.RAMPART_MASTER_KEY_FILE) {
        // Only the key is read (no store is opened): the key file is checked, not a directory.
        const source = keySource(dataDir ?? '.', masterKeyOptions(flags, env));
        checkDeploymentModes(undefined, source);
        sealer = readKeyring(source)?.sealer;
      }
      // An account the file holds nothing of (a mistyped id) is not a chain that verifies.
      const account = flags.account;
      if (
        account !== undefined &&
        !material.records.some((r) => r.accountId === account) &&
        !material.heads.some((h) => h.accountId === account)
      )
        throw new ConfigError(`${flags.file} holds no audit events of account ${account}`);
      return printVerify(
        verifyChains(material, sealer, {
          ...(account !== undefined ? { account } : {}),
          ...(flags.sink ? { sink: true } : {}),
        }),
        flags.json,
      );
    }
    const d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true, audit: false });
    try {
      let material = await readChainMaterial(d.store, flags.account);
      if (flags.account !== undefined && material.records.length + material.heads.length === 0) {
        // An alias names the account as the operator commands take it.
        const account = await d.domain.accounts.findByAliasOrId(flags.account).catch(() => undefined);
        if (!account) throw new ConfigError(`no such account: ${flags.account}`);
        if (account.accountId !== flags.account)
          material = await readChainMaterial(d.store, account.accountId);
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
      // The last line seals the heads: a copy cut short, or with a chain left out, fails to verify.
      const lines = exportLines(material, d.sealer);
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
    const days =
      flags.days === 'default' ? null : /^[1-9]\d{0,4}$/.test(flags.days) ? Number(flags.days) : NaN;
    if (days !== null && !(days >= 1 && days <= 36500)) {
      throw new ConfigError('--days must be a whole number of days from 1 to 36500, or default');
    }
    const d = await openDeployment({ ...deploymentOptions(flags, env), requireExisting: true, audit: false });
    try {
      // An id or an alias, as the operator commands take it.
      const account = await d.domain.accounts.findByAliasOrId(flags.account!).catch(() => undefined);
      if (!account) throw new ConfigError(`no such account: ${flags.account}`);
      await setRetention(d.store, account.accountId, days);
      process.stdout.write(
        `account ${account.accountId}: audit retention ${days === null ? 'default' : `${days} day(s)`}\n`,
      );
      return 0;
    } finally {
      await d.close();
    }
  } catch (err) {
    return reportFailure('audit retention', err);
  }
}
