import { apiErrorWithStatus, type ApiError } from '../errors.js';
import type { DomainContext } from './context.js';
import { defaultDomain, invalid, isoSeconds, lockAccount } from './common.js';
import { readPasswordPolicy } from './password-policy.js';

/**
 * The credential report of an account (IMS GenerateCredentialReport / GetCredentialReport): one
 * CSV row for the root (`<root>`) and one per RAM user, with the state of its console password,
 * MFA and AccessKeys, in the columns of the service's report.
 *
 * Generation runs in the background: GenerateCredentialReport records the account's report as
 * in progress and answers STARTED; the report is built after the request and stored with its
 * generation time. While it is built, GenerateCredentialReport answers INPROGRESS and
 * GetCredentialReport refuses with CredentialReport.InProgress. The state lives in the store,
 * so every node sees it; a generation left in progress by a stopped node is started again by
 * the next GenerateCredentialReport after STALE_MS.
 */
export type CredentialReportState = 'STARTED' | 'INPROGRESS';

export interface CredentialReportPage {
  /** Base64 of the CSV text: the header line, then this page's rows. */
  readonly content: string;
  readonly generatedTime: string;
  readonly isTruncated: boolean;
  readonly nextToken?: string;
}

export interface CredentialReportsDomain {
  /** GenerateCredentialReport. */
  generate(accountId: string): Promise<CredentialReportState>;
  /**
   * GetCredentialReport: rows in report order, maxItems 1..3501 (default 3501). Throws
   * EntityNotExist.CredentialReport (never generated), CredentialReport.InProgress,
   * InvalidParameter (a NextToken of another report or damaged).
   */
  get(
    accountId: string,
    page?: { readonly nextToken?: string; readonly maxItems?: number },
  ): Promise<CredentialReportPage>;
}

/** The columns of the service's report, in order. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'user_creation_time',
  'user_last_logon',
  'password_exist',
  'password_active',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  ...[1, 2].flatMap((n) => [
    `access_key_${n}_exist`,
    `access_key_${n}_active`,
    `access_key_${n}_last_rotated`,
    `access_key_${n}_last_used`,
  ]),
  ...[1, 2, 3].flatMap((n) => [
    `additional_access_key_${n}_exist`,
    `additional_access_key_${n}_active`,
    `additional_access_key_${n}_last_rotated`,
    `additional_access_key_${n}_last_used`,
  ]),
] as const;

export const REPORT_MAX_ITEMS = 3501;
/** A generation older than this that never completed (a stopped node) is started again. */
export const STALE_MS = 5 * 60_000;
const NA = 'N/A';

const notExist = (): ApiError =>
  apiErrorWithStatus(
    'EntityNotExist.CredentialReport',
    404,
    'The credential report does not exist. Call GenerateCredentialReport first.',
  );
const inProgress = (): ApiError =>
  apiErrorWithStatus(
    'CredentialReport.InProgress',
    409,
    'The credential report is being generated. Try again when GenerateCredentialReport no longer answers INPROGRESS.',
  );

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

type KeyRow = { user_id: string | null; status: string; create_date: string; last_used_date: string | null };

function keyColumns(key: KeyRow | undefined): string[] {
  if (!key) return ['false', NA, NA, NA];
  return ['true', String(key.status === 'Active'), key.create_date, key.last_used_date ?? NA];
}

function keysColumns(keys: readonly KeyRow[]): string[] {
  const sorted = [...keys].sort((a, b) => a.create_date.localeCompare(b.create_date));
  return [0, 1, 2, 3, 4].flatMap((i) => keyColumns(sorted[i]));
}

/**
 * `schedule` runs the build after the request; tests pass one that holds it to observe the
 * generation in progress.
 */
export function createCredentialReports(
  ctx: DomainContext,
  schedule: (build: () => Promise<void>) => void = (build) => {
    setImmediate(() => void build().catch(() => undefined));
  },
): CredentialReportsDomain {
  const { store } = ctx;

  async function buildCsv(accountId: string): Promise<string> {
    const db = store.db;
    const account = await db
      .selectFrom('accounts')
      .select(['alias', 'create_date', 'root_mfa_device'])
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    const domain = defaultDomain(accountId, account.alias);
    const users = await db
      .selectFrom('users')
      .select(['user_id', 'user_name', 'name_key', 'create_date', 'last_login_date'])
      .where('account_id', '=', accountId)
      .orderBy('name_key')
      .execute();
    const profiles = new Map(
      (
        await db
          .selectFrom('login_profiles')
          .select(['user_id', 'status', 'password_changed_date'])
          .where('account_id', '=', accountId)
          .execute()
      ).map((p) => [p.user_id, p]),
    );
    const bound = new Set(
      (
        await db
          .selectFrom('mfa_devices')
          .select('user_id')
          .where('account_id', '=', accountId)
          .where('user_id', 'is not', null)
          .execute()
      ).map((d) => d.user_id),
    );
    // A security key is MFA too, for the root and for users (as the account summary counts it).
    const securityKeys = await db
      .selectFrom('webauthn_credentials')
      .select(['principal_type', 'user_id'])
      .distinct()
      .where('account_id', '=', accountId)
      .execute();
    const rootMfa = account.root_mfa_device !== null || securityKeys.some((k) => k.principal_type === 'Root');
    for (const k of securityKeys) if (k.principal_type === 'RAMUser' && k.user_id) bound.add(k.user_id);
    const keys = await db
      .selectFrom('access_keys')
      .select(['user_id', 'status', 'create_date', 'last_used_date'])
      .where('account_id', '=', accountId)
      .execute();
    const keysOf = (userId: string | null) => keys.filter((k) => k.user_id === userId);
    const policy = await readPasswordPolicy(db, accountId);
    const nextRotation = (changed: string): string =>
      policy.maxPasswordAge > 0
        ? isoSeconds(new Date(Date.parse(changed) + policy.maxPasswordAge * 86_400_000))
        : NA;

    const rows: string[][] = [
      [
        '<root>',
        account.create_date,
        NA,
        'true',
        'true',
        NA,
        NA,
        String(rootMfa),
        ...keysColumns(keysOf(null)),
      ],
    ];
    for (const u of users) {
      const p = profiles.get(u.user_id);
      rows.push([
        `${u.user_name}@${domain}`,
        u.create_date,
        u.last_login_date ?? NA,
        String(p !== undefined),
        p ? String(p.status === 'Active') : NA,
        p ? p.password_changed_date : NA,
        p ? nextRotation(p.password_changed_date) : NA,
        String(bound.has(u.user_id)),
        ...keysColumns(keysOf(u.user_id)),
      ]);
    }
    return (
      [CREDENTIAL_REPORT_COLUMNS.join(','), ...rows.map((r) => r.map(field).join(','))].join('\n') + '\n'
    );
  }

  async function build(accountId: string, startedAt: string): Promise<void> {
    const csv = await buildCsv(accountId);
    // Only the generation that is still the current one stores its result.
    await store.db
      .updateTable('credential_reports')
      .set({ state: 'complete', content: csv, generated_time: isoSeconds(ctx.clock()) })
      .where('account_id', '=', accountId)
      .where('started_at', '=', startedAt)
      .where('state', '=', 'inprogress')
      .execute();
  }

  return {
    async generate(accountId) {
      const now = ctx.clock();
      const result = await store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await tx
          .selectFrom('credential_reports')
          .select(['state', 'started_at'])
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (row?.state === 'inprogress' && now.getTime() - Date.parse(row.started_at) < STALE_MS) {
          return { state: 'INPROGRESS' as const };
        }
        const startedAt = now.toISOString();
        if (row) {
          await tx
            .updateTable('credential_reports')
            .set({ state: 'inprogress', started_at: startedAt })
            .where('account_id', '=', accountId)
            .execute();
        } else {
          await tx
            .insertInto('credential_reports')
            .values({
              account_id: accountId,
              state: 'inprogress',
              started_at: startedAt,
              generated_time: null,
              content: null,
            })
            .execute();
        }
        return { state: 'STARTED' as const, startedAt };
      });
      if (result.state === 'STARTED') schedule(() => build(accountId, result.startedAt));
      return result.state;
    },

    async get(accountId, page) {
      const max = page?.maxItems ?? REPORT_MAX_ITEMS;
      if (!Number.isInteger(max) || max < 1 || max > REPORT_MAX_ITEMS) {
        throw invalid(`The parameter - "MaxItems" MUST be in the range of 1 and ${REPORT_MAX_ITEMS}.`);
      }
      const row = await store.db
        .selectFrom('credential_reports')
        .select(['state', 'generated_time', 'content'])
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (!row) throw notExist();
      if (row.state !== 'complete' || row.content === null || row.generated_time === null) throw inProgress();
      const [header, ...lines] = row.content.replace(/\n$/, '').split('\n');
      let offset = 0;
      if (page?.nextToken !== undefined && page.nextToken !== '') {
        const m = /^r:(\d{1,9}):(.+)$/.exec(Buffer.from(page.nextToken, 'base64url').toString('utf8'));
        if (!m || m[2] !== row.generated_time || Number(m[1]) > lines.length) {
          throw invalid('The parameter - "NextToken" is invalid or belongs to another report.');
        }
        offset = Number(m[1]);
      }
      const slice = lines.slice(offset, offset + max);
      const end = offset + slice.length;
      const truncated = end < lines.length;
      return {
        content: Buffer.from([header, ...slice].join('\n') + '\n', 'utf8').toString('base64'),
        generatedTime: row.generated_time,
        isTruncated: truncated,
        ...(truncated
          ? { nextToken: Buffer.from(`r:${end}:${row.generated_time}`, 'utf8').toString('base64url') }
          : {}),
      };
    },
  };
}
