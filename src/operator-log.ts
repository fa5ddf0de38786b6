/**
 * What operator commands did to a deployment (`rampart admin ...`, `rampart keys rotate`),
 * recorded in the table `operator_log` of the store they acted on. Never a password, key or
 * secret: only what was done, to which account, by which operating-system user on which host.
 *
 * `recordOperatorAction` is the one door: when the audit trail exists it can send these to
 * it as audit events instead.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Store } from './store/index.js';

export interface OperatorAction {
  /** e.g. 'admin.reset-root-password' */
  readonly action: string;
  readonly accountId?: string | undefined;
  /** Non-secret facts: user names, AccessKeyIds, key ids. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface OperatorLogEntry extends Required<Omit<OperatorAction, 'accountId'>> {
  readonly id: string;
  readonly at: string;
  readonly accountId: string | undefined;
  readonly actor: string;
}

function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (a container): keep 'unknown'.
  }
  return `${user}@${hostname()}`;
}

export async function recordOperatorAction(store: Store, entry: OperatorAction): Promise<void> {
  await store.db
    .insertInto('operator_log')
    .values({
      id: randomBytes(8).toString('hex'),
      at: new Date().toISOString(),
      action: entry.action,
      account_id: entry.accountId ?? null,
      actor: actor(),
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

/** The recorded actions, oldest first. */
export async function listOperatorActions(store: Store): Promise<OperatorLogEntry[]> {
  const rows = await store.db.selectFrom('operator_log').selectAll().orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    accountId: r.account_id ?? undefined,
    actor: r.actor,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
