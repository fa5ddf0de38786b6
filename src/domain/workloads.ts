/**
 * Workload identities: a program (a service on a host, a CI job) bound to a role, that
 * obtains the role's temporary credentials without holding a long-lived AccessKey.
 *
 * An administrator binds a workload to a role (`rampart workload create`) and hands the
 * workload one credentials URI, which carries the binding secret. The workload's SDK (through
 * `@alicloud/credentials`' credentials-URI provider) fetches fresh STS credentials from it
 * before the old ones expire. See docs/sts.md for the threat model.
 *
 * - The secret is 256 random bits; the store keeps only its SHA-256 (compared in constant time).
 * - The role's trust policy still decides: the workload acts as the account's root assuming
 *   the role, so the role must trust `acs:ram::<account>:root` (conditions such as
 *   acs:SourceIp are evaluated with the workload's address).
 * - Optional networks: the workload may call only from these CIDR blocks.
 * - Revoking the binding ends the credentials it issued on their next use (their token names
 *   the binding, and every request checks that it still exists).
 */
import { createHash, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { rootArn, roleArn } from '../arn.js';
import { issueCredentials, type IssuedCredentials } from '../auth/sts-token.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { apiError, apiErrorWithStatus } from '../errors.js';
import { evaluate } from '../policy/index.js';
import type { DomainContext } from './context.js';
import { checkChars, checkLength, isoSeconds, nameKey, nowIso, randomDigits, uniquely } from './common.js';
import { isCidr } from './security-preference.js';
import { MIN_SESSION_SECONDS, DEFAULT_SESSION_SECONDS } from './sts.js';

export interface WorkloadIdentity {
  readonly workloadId: string;
  readonly name: string;
  readonly roleName: string;
  /** `;`-separated CIDR blocks; '' allows any address. */
  readonly networks: string;
  readonly durationSeconds: number;
  readonly createDate: string;
  readonly lastUsedDate?: string;
}

export interface CreatedWorkloadIdentity extends WorkloadIdentity {
  /** The binding token (`rwi.<id>.<secret>`): shown once, never stored. */
  readonly token: string;
}

export interface CreateWorkloadInput {
  readonly name: string;
  readonly roleName: string;
  readonly networks?: string;
  /** Lifetime of each set of credentials; default 3600 s, at most the role's MaxSessionDuration. */
  readonly durationSeconds?: number;
}

export interface WorkloadCredentials extends IssuedCredentials {
  readonly issuedAt: string;
}

/** What the audit trail records of one credentials request whose binding was found. */
export interface WorkloadIssuance {
  readonly accountId: string;
  readonly workloadId: string;
  readonly workloadName: string;
  /** The role's stored name, when it still exists. */
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly expiration?: string;
  /** Refused (wrong secret, address outside the networks, role gone or not trusting). */
  readonly refused: boolean;
}

export interface WorkloadsDomain {
  create(accountId: string, input: CreateWorkloadInput): Promise<CreatedWorkloadIdentity>;
  list(accountId: string): Promise<readonly WorkloadIdentity[]>;
  /**
   * Removes the binding: its token stops working and its credentials end. Gives the removed
   * binding's id and stored name. Throws EntityNotExist.Workload.
   */
  revoke(accountId: string, name: string): Promise<{ readonly workloadId: string; readonly name: string }>;
  /**
   * Fresh role credentials for the holder of a binding token calling from `sourceIp`. Every
   * failure (unknown or revoked binding, wrong secret, address outside the networks, a role
   * gone or no longer trusting the account) is the same refusal, so the answer tells an
   * attacker nothing.
   */
  credentials(
    token: string,
    sourceIp: string,
    secure: boolean,
    observe?: (issuance: WorkloadIssuance) => void,
  ): Promise<WorkloadCredentials>;
}

const TOKEN = /^rwi\.(\d{16,24})\.([A-Za-z0-9_-]{43})$/;
const NAME = /^[A-Za-z0-9._-]*$/;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The one refusal of the credentials endpoint. */
export const workloadRefused = (): Error =>
  apiErrorWithStatus(
    'Forbidden.WorkloadIdentity',
    403,
    'The workload credentials URI is not valid, or it may not be used from this address.',
  );

/** Whether `ip` lies in one of the `;`-separated CIDR blocks ('' allows every address). */
export function inNetworks(masks: string, ip: string): boolean {
  if (masks === '') return true;
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const m of masks.split(';')) {
    const [addr, bits] = m.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** `;`- or `,`-separated CIDR blocks, normalized to `a;b`; else InvalidParameter.Networks. */
function parseNetworks(text: string): string {
  const list = text
    .split(/[;,]/)
    .map((m) => m.trim())
    .filter((m) => m !== '');
  // Networks given but naming none (an empty value, `;`) would mean any address: refused, so an
  // empty variable in a script never makes an unrestricted binding. Without the option: any.
  if (list.length === 0 || list.length > 40 || list.some((m) => !isCidr(m))) {
    throw apiErrorWithStatus(
      'InvalidParameter.Networks',
      400,
      'The networks must be 1 to 40 IPv4 or IPv6 addresses or CIDR blocks.',
    );
  }
  return list.join(';');
}

export function createWorkloads(ctx: DomainContext): WorkloadsDomain {
  const db = ctx.store.db;

  async function roleById(accountId: string, roleId: string) {
    return db
      .selectFrom('roles')
      .select(['role_id', 'role_name', 'trust_policy', 'max_session_duration'])
      .where('account_id', '=', accountId)
      .where('role_id', '=', roleId)
      .executeTakeFirst();
  }

  return {
    async create(accountId, input) {
      checkLength(
        input.name,
        1,
        64,
        'InvalidParameter.Name.Length',
        'The workload name must be 1 to 64 characters.',
      );
      checkChars(
        input.name,
        NAME,
        'InvalidParameter.Name.InvalidChars',
        'The workload name may hold letters, digits, periods, hyphens and underscores.',
      );
      const networks = input.networks === undefined ? '' : parseNetworks(input.networks);
      const role = await db
        .selectFrom('roles')
        .select(['role_id', 'role_name', 'max_session_duration'])
        .where('account_id', '=', accountId)
        .where('name_key', '=', nameKey(input.roleName))
        .executeTakeFirst();
      if (!role) throw apiError('EntityNotExist.Role', 'The role does not exist.');
      const max = Number(role.max_session_duration);
      const duration = input.durationSeconds ?? Math.min(DEFAULT_SESSION_SECONDS, max);
      if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS || duration > max) {
        throw apiError(
          'InvalidParameter.DurationSeconds',
          `The duration must be ${MIN_SESSION_SECONDS} to ${max} seconds (the role's MaxSessionDuration).`,
        );
      }
      const workloadId = randomDigits(18);
      const secret = randomBytes(32).toString('base64url');
      const createDate = nowIso(ctx);
      await uniquely(
        () =>
          db
            .insertInto('workload_identities')
            .values({
              workload_id: workloadId,
              account_id: accountId,
              name: input.name,
              name_key: nameKey(input.name),
              role_id: role.role_id,
              secret_hash: sha256(secret),
              networks,
              duration_seconds: duration,
              create_date: createDate,
              last_used_date: null,
            })
            .execute(),
        () =>
          apiErrorWithStatus('EntityAlreadyExists.Workload', 409, 'A workload of this name already exists.'),
      );
      return {
        workloadId,
        name: input.name,
        roleName: role.role_name,
        networks,
        durationSeconds: duration,
        createDate,
        token: `rwi.${workloadId}.${secret}`,
      };
    },

    async list(accountId) {
      const rows = await db
        .selectFrom('workload_identities as w')
        .leftJoin('roles as r', (j) =>
          j.onRef('r.account_id', '=', 'w.account_id').onRef('r.role_id', '=', 'w.role_id'),
        )
        .select([
          'w.workload_id',
          'w.name',
          'w.networks',
          'w.duration_seconds',
          'w.create_date',
          'w.last_used_date',
          'r.role_name',
        ])
        .where('w.account_id', '=', accountId)
        .orderBy('w.name_key')
        .execute();
      return rows.map((r) => ({
        workloadId: r.workload_id,
        name: r.name,
        // A role deleted since: the binding issues nothing until an administrator revokes it.
        roleName: r.role_name ?? '',
        networks: r.networks,
        durationSeconds: Number(r.duration_seconds),
        createDate: r.create_date,
        ...(r.last_used_date ? { lastUsedDate: r.last_used_date } : {}),
      }));
    },

    async revoke(accountId, name) {
      const removed = await db
        .deleteFrom('workload_identities')
        .where('account_id', '=', accountId)
        .where('name_key', '=', nameKey(name))
        .returning(['workload_id', 'name'])
        .executeTakeFirst();
      if (!removed) throw apiErrorWithStatus('EntityNotExist.Workload', 404, 'The workload does not exist.');
      return { workloadId: removed.workload_id, name: removed.name };
    },

    async credentials(token, sourceIp, secure, observe) {
      const m = TOKEN.exec(token);
      // A hash is computed for every token, found or not, so that timing tells nothing.
      const presented = sha256(m?.[2] ?? token);
      const row = m
        ? await db
            .selectFrom('workload_identities')
            .selectAll()
            .where('workload_id', '=', m[1]!)
            .executeTakeFirst()
        : undefined;
      if (!row) throw workloadRefused();
      const seen = { accountId: row.account_id, workloadId: row.workload_id, workloadName: row.name };
      const refuse = (roleName?: string) => {
        observe?.({ ...seen, ...(roleName ? { roleName } : {}), refused: true });
        return workloadRefused();
      };
      if (!constantTimeEqual(presented, row.secret_hash) || !inNetworks(row.networks, sourceIp))
        throw refuse();
      const role = await roleById(row.account_id, row.role_id);
      if (!role) throw refuse();
      const now = ctx.clock();
      const arn = roleArn(row.account_id, role.role_name);
      const decision = evaluate(
        {
          identity: [],
          resource: {
            kind: 'trust-policy',
            name: role.role_name,
            ownerAccountId: row.account_id,
            document: role.trust_policy,
          },
        },
        {
          principal: { type: 'Root', accountId: row.account_id, arn: rootArn(row.account_id) },
          action: 'sts:AssumeRole',
          resource: arn,
          context: {
            'acs:SourceIp': { type: 'IP', values: [sourceIp] },
            'acs:CurrentTime': { type: 'Date', values: [now.toISOString()] },
            'acs:SecureTransport': { type: 'Bool', values: [secure] },
            'acs:MFAPresent': { type: 'Bool', values: [false] },
          },
        },
      );
      if (decision.decision !== 'Allow') throw refuse(role.role_name);
      const iat = Math.floor(now.getTime() / 1000);
      const seconds = Math.min(Number(row.duration_seconds), Number(role.max_session_duration));
      const sessionName = `workload-${row.name}`.slice(0, 64);
      const issued = issueCredentials(ctx.sealer, {
        kind: 'role',
        acct: row.account_id,
        rid: role.role_id,
        rn: role.role_name,
        sn: sessionName,
        iat,
        exp: iat + seconds,
        mfa: false,
        by: `workload/${row.workload_id}`,
        wl: row.workload_id,
      });
      await db
        .updateTable('workload_identities')
        .set({ last_used_date: isoSeconds(now) })
        .where('workload_id', '=', row.workload_id)
        .execute();
      observe?.({
        ...seen,
        roleName: role.role_name,
        sessionName,
        expiration: issued.expiration,
        refused: false,
      });
      return { ...issued, issuedAt: isoSeconds(now) };
    },
  };
}
