import { apiErrorWithStatus, type ApiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import type { DomainContext } from './context.js';
import { hasControlChars, isoSeconds, nameKey } from './common.js';
import { randomAlnum } from '../crypto/random.js';
import { isUniqueViolation } from '../store/errors.js';
import { policyError } from '../policy/index.js';
import {
  FULL_ACCESS_DOCUMENT,
  FULL_ACCESS_POLICY_ID,
  FULL_ACCESS_POLICY_NAME,
  bumpDirectory,
  findNode,
  managedDirectory,
  page,
  readableDirectory,
  type DirectoryRow,
  type ListPage,
  type Paging,
  type TargetKind,
} from './resource-directory.js';

/**
 * Control policies of a Resource Directory (reference control-policies.md): custom policies
 * (Allow/Deny statements without Principal, at most 4096 characters) and the System policy
 * FullAliyunAccess; attachments to the Root folder, folders and member accounts; the feature
 * switch. Every change that alters what governs an account increases the permissions
 * version of every account of the directory (enforced on the next request, every node).
 */

export const MAX_CONTROL_DOCUMENT = 4096;
export const MAX_ATTACHMENTS_PER_TARGET = 10;

export type EnablementStatus = 'Enabled' | 'Disabled' | 'PendingEnable' | 'PendingDisable';

export interface ControlPolicy {
  readonly policyId: string;
  readonly policyName: string;
  readonly policyType: 'System' | 'Custom';
  readonly description: string;
  readonly effectScope: string;
  readonly attachmentCount: number;
  readonly createDate: string;
  readonly updateDate: string;
  readonly document: string;
}

export interface ControlPolicyAttachment {
  readonly policyId: string;
  readonly policyName: string;
  readonly policyType: 'System' | 'Custom';
  readonly description: string;
  readonly effectScope: string;
  readonly attachDate: string;
}

export interface TargetAttachment {
  readonly targetId: string;
  readonly targetName: string;
  readonly targetType: TargetKind;
  readonly attachDate: string;
}

export interface CreateControlPolicyInput {
  readonly policyName: string;
  readonly description?: string;
  readonly effectScope: string;
  readonly policyDocument: string;
}

export interface UpdateControlPolicyInput {
  readonly newPolicyName?: string;
  readonly newDescription?: string;
  readonly newPolicyDocument?: string;
}

export interface ControlPoliciesDomain {
  /** The switch: the call answers PendingEnable / PendingDisable; the change is complete at once. */
  enable(accountId: string): Promise<EnablementStatus>;
  disable(accountId: string): Promise<EnablementStatus>;
  status(accountId: string): Promise<EnablementStatus>;
  create(accountId: string, input: CreateControlPolicyInput): Promise<ControlPolicy>;
  update(accountId: string, policyId: string, input: UpdateControlPolicyInput): Promise<ControlPolicy>;
  get(accountId: string, policyId: string): Promise<ControlPolicy>;
  list(
    accountId: string,
    policyType: 'System' | 'Custom' | undefined,
    paging: Paging,
  ): Promise<ListPage<ControlPolicy>>;
  delete(accountId: string, policyId: string): Promise<void>;
  attach(accountId: string, policyId: string, targetId: string): Promise<void>;
  detach(accountId: string, policyId: string, targetId: string): Promise<void>;
  listForTarget(accountId: string, targetId: string): Promise<readonly ControlPolicyAttachment[]>;
  listTargets(accountId: string, policyId: string, paging: Paging): Promise<ListPage<TargetAttachment>>;
}

export const cpErr = {
  notFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.ControlPolicy', 404, `The control policy does not exist: ${id}.`),
  exists: (name: string): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.ControlPolicy',
      409,
      `A control policy with this name already exists: ${name}.`,
    ),
  documentLength: (param: string): ApiError =>
    apiErrorWithStatus(
      `InvalidParameter.${param === 'NewPolicyDocument' ? 'NewPolicyDocument' : 'PolicyDocument'}.Length`,
      409,
      `The maximum length of the policy document is exceeded. It must not exceed ${MAX_CONTROL_DOCUMENT} characters.`,
    ),
  malformed: (message: string): ApiError => apiErrorWithStatus('MalformedPolicyDocument', 400, message),
  policyName: (param: string): ApiError =>
    apiErrorWithStatus(
      `InvalidParameter.${param}`,
      400,
      `The parameter - "${param}" must be 1 to 128 characters, start with a letter, and hold only letters, digits and hyphens (-).`,
    ),
  description: (param: string): ApiError =>
    apiErrorWithStatus(
      `InvalidParameter.${param}`,
      400,
      `The parameter - "${param}" must be 1 to 1024 characters without control characters.`,
    ),
  effectScope: (): ApiError =>
    apiErrorWithStatus(
      'InvalidParameter.EffectScope',
      400,
      'The parameter - "EffectScope" must be RAM for a custom control policy.',
    ),
  systemPolicy: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.SystemControlPolicy',
      400,
      'A System control policy cannot be created, changed or deleted.',
    ),
  disabled: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.ControlPolicyDisabled',
      409,
      'Control policies are disabled in this resource directory; enable them first.',
    ),
  attached: (): ApiError =>
    apiErrorWithStatus(
      'DeleteConflict.ControlPolicy.Attachment',
      409,
      'The control policy is still attached; detach it from every target first.',
    ),
  targetNotFound: (id: string): ApiError =>
    apiErrorWithStatus('EntityNotExists.Target', 404, `No folder or member account has this id: ${id}.`),
  alreadyAttached: (): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.ControlPolicyAttachment',
      409,
      'The control policy is already attached to the target.',
    ),
  notAttached: (): ApiError =>
    apiErrorWithStatus(
      'EntityNotExists.ControlPolicyAttachment',
      404,
      'The control policy is not attached to the target.',
    ),
  tooMany: (): ApiError =>
    apiErrorWithStatus(
      'LimitExceeded.ControlPolicyAttachment',
      409,
      `At most ${MAX_ATTACHMENTS_PER_TARGET} control policies can be attached to one folder or member account.`,
    ),
  lastPolicy: (): ApiError =>
    apiErrorWithStatus(
      'ConstraintViolation.LastControlPolicy',
      409,
      'A folder or member account must keep at least one control policy: the last one cannot be detached.',
    ),
  managementAccount: (): ApiError =>
    apiErrorWithStatus(
      'InvalidOperation.ManagementAccount',
      400,
      'Control policies do not apply to the management account: none can be attached to it.',
    ),
};

const POLICY_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

function checkName(name: string, param: string): void {
  if (!POLICY_NAME.test(name)) throw cpErr.policyName(param);
}

function checkDescription(text: string, param: string): void {
  const n = [...text].length;
  if (n < 1 || n > 1024 || hasControlChars(text)) throw cpErr.description(param);
}

/** 4096 characters at most, the control-policy grammar (no Principal; Action or NotAction). */
function checkDocument(text: string, param: string): void {
  if ([...text].length > MAX_CONTROL_DOCUMENT) throw cpErr.documentLength(param);
  const problem = policyError(text, 'control');
  if (problem) throw cpErr.malformed(problem.message);
}

type PolicyRow = {
  policy_id: string;
  policy_name: string;
  description: string;
  effect_scope: string;
  document: string;
  create_date: string;
  update_date: string;
};

/** The columns of a PolicyRow. */
const POLICY_COLUMNS = [
  'policy_id',
  'policy_name',
  'description',
  'effect_scope',
  'document',
  'create_date',
  'update_date',
] as const;

const SYSTEM_DATE = '2020-09-01T00:00:00Z';

function systemPolicy(count: number): ControlPolicy {
  return {
    policyId: FULL_ACCESS_POLICY_ID,
    policyName: FULL_ACCESS_POLICY_NAME,
    policyType: 'System',
    description: 'Default control policy: allows every operation on every resource.',
    effectScope: 'All',
    attachmentCount: count,
    createDate: SYSTEM_DATE,
    updateDate: SYSTEM_DATE,
    document: FULL_ACCESS_DOCUMENT,
  };
}

function customPolicy(r: PolicyRow, count: number): ControlPolicy {
  return {
    policyId: r.policy_id,
    policyName: r.policy_name,
    policyType: 'Custom',
    description: r.description,
    effectScope: r.effect_scope,
    attachmentCount: count,
    createDate: r.create_date,
    updateDate: r.update_date,
    document: r.document,
  };
}

export function createControlPolicies(ctx: DomainContext): ControlPoliciesDomain {
  const { store } = ctx;
  const now = () => isoSeconds(ctx.clock());

  async function countAttachments(tx: Tx, dir: DirectoryRow, policyId: string): Promise<number> {
    const row = await tx
      .selectFrom('rd_control_attachments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('directory_id', '=', dir.directory_id)
      .where('policy_id', '=', policyId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function requirePolicy(tx: Tx, dir: DirectoryRow, policyId: string): Promise<ControlPolicy> {
    if (policyId === FULL_ACCESS_POLICY_ID) return systemPolicy(await countAttachments(tx, dir, policyId));
    const row = await tx
      .selectFrom('rd_control_policies')
      .select(POLICY_COLUMNS)
      .where('directory_id', '=', dir.directory_id)
      .where('policy_id', '=', policyId)
      .executeTakeFirst();
    if (!row) throw cpErr.notFound(policyId);
    return customPolicy(row, await countAttachments(tx, dir, policyId));
  }

  async function requireTarget(tx: Tx, dir: DirectoryRow, targetId: string) {
    const node = await findNode(tx, dir, targetId);
    if (!node) throw cpErr.targetNotFound(targetId);
    return node;
  }

  /** The ids of the policies attached to a target. */
  async function attachedPolicyIds(tx: Tx, dir: DirectoryRow, targetId: string): Promise<string[]> {
    const rows = await tx
      .selectFrom('rd_control_attachments')
      .select('policy_id')
      .where('directory_id', '=', dir.directory_id)
      .where('target_id', '=', targetId)
      .execute();
    return rows.map((r) => r.policy_id);
  }

  /**
   * The attachments of one target (`by` target_id) or of one policy (`by` policy_id), oldest
   * first, then by the other id.
   */
  function attachmentRows(tx: Tx, dir: DirectoryRow, by: 'target_id' | 'policy_id', id: string) {
    return tx
      .selectFrom('rd_control_attachments')
      .select(['policy_id', 'target_id', 'attach_date'])
      .where('directory_id', '=', dir.directory_id)
      .where(by, '=', id)
      .orderBy('attach_date')
      .orderBy(by === 'target_id' ? 'policy_id' : 'target_id')
      .execute();
  }

  /**
   * Attaches or detaches in the caller's managed directory: the policy and the target must
   * exist; `change` checks and writes; then every account of the directory is to be
   * re-evaluated (bumpDirectory).
   */
  async function changeAttachment(
    accountId: string,
    policyId: string,
    targetId: string,
    change: (tx: Tx, dir: DirectoryRow) => Promise<void>,
  ): Promise<void> {
    return store.transaction(async (tx) => {
      const dir = await managedDirectory(ctx, tx, accountId);
      await requirePolicy(tx, dir, policyId);
      await requireTarget(tx, dir, targetId);
      await change(tx, dir);
      await bumpDirectory(tx, dir.directory_id);
    });
  }

  /** Every folder and member of the directory (the nodes FullAliyunAccess goes to on enable). */
  async function allNodes(tx: Tx, dir: DirectoryRow): Promise<string[]> {
    const folders = await tx
      .selectFrom('rd_folders')
      .select('folder_id as id')
      .where('directory_id', '=', dir.directory_id)
      .execute();
    const members = await tx
      .selectFrom('rd_accounts')
      .select('account_id as id')
      .where('directory_id', '=', dir.directory_id)
      .where('account_id', '!=', dir.master_account_id)
      .execute();
    return [...folders, ...members].map((r) => r.id);
  }

  return {
    async enable(accountId) {
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        if (dir.control_policy_status === 'Enabled') return 'Enabled';
        await tx
          .updateTable('rd_directories')
          .set({ control_policy_status: 'Enabled' })
          .where('directory_id', '=', dir.directory_id)
          .execute();
        const at = now();
        for (const id of await allNodes(tx, dir)) {
          await tx
            .insertInto('rd_control_attachments')
            .values({
              directory_id: dir.directory_id,
              target_id: id,
              policy_id: FULL_ACCESS_POLICY_ID,
              attach_date: at,
            })
            .execute();
        }
        await bumpDirectory(tx, dir.directory_id);
        return 'PendingEnable';
      });
    },

    async disable(accountId) {
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        if (dir.control_policy_status !== 'Enabled') return 'Disabled';
        await tx
          .updateTable('rd_directories')
          .set({ control_policy_status: 'Disabled' })
          .where('directory_id', '=', dir.directory_id)
          .execute();
        await tx.deleteFrom('rd_control_attachments').where('directory_id', '=', dir.directory_id).execute();
        await bumpDirectory(tx, dir.directory_id);
        return 'PendingDisable';
      });
    },

    async status(accountId) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        return dir.control_policy_status === 'Enabled' ? 'Enabled' : 'Disabled';
      });
    },

    async create(accountId, input) {
      checkName(input.policyName, 'PolicyName');
      if (input.description !== undefined) checkDescription(input.description, 'Description');
      if (input.effectScope !== 'RAM') throw cpErr.effectScope();
      checkDocument(input.policyDocument, 'PolicyDocument');
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        if (nameKey(input.policyName) === nameKey(FULL_ACCESS_POLICY_NAME))
          throw cpErr.exists(input.policyName);
        const at = now();
        const row: PolicyRow = {
          policy_id: `cp-${randomAlnum(16)}`,
          policy_name: input.policyName,
          description: input.description ?? '',
          effect_scope: input.effectScope,
          document: input.policyDocument,
          create_date: at,
          update_date: at,
        };
        try {
          await tx
            .insertInto('rd_control_policies')
            .values({ ...row, directory_id: dir.directory_id, name_key: nameKey(input.policyName) })
            .execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw cpErr.exists(input.policyName);
          throw e;
        }
        return customPolicy(row, 0);
      });
    },

    async update(accountId, policyId, input) {
      if (input.newPolicyName !== undefined) checkName(input.newPolicyName, 'NewPolicyName');
      if (input.newDescription !== undefined) checkDescription(input.newDescription, 'NewDescription');
      if (input.newPolicyDocument !== undefined) checkDocument(input.newPolicyDocument, 'NewPolicyDocument');
      return store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const current = await requirePolicy(tx, dir, policyId);
        if (current.policyType === 'System') throw cpErr.systemPolicy();
        const next: PolicyRow = {
          policy_id: current.policyId,
          policy_name: input.newPolicyName ?? current.policyName,
          description: input.newDescription ?? current.description,
          effect_scope: current.effectScope,
          document: input.newPolicyDocument ?? current.document,
          create_date: current.createDate,
          update_date: now(),
        };
        if (nameKey(next.policy_name) === nameKey(FULL_ACCESS_POLICY_NAME))
          throw cpErr.exists(next.policy_name);
        try {
          await tx
            .updateTable('rd_control_policies')
            .set({
              policy_name: next.policy_name,
              name_key: nameKey(next.policy_name),
              description: next.description,
              document: next.document,
              update_date: next.update_date,
            })
            .where('policy_id', '=', policyId)
            .execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw cpErr.exists(next.policy_name);
          throw e;
        }
        if (current.attachmentCount > 0 && next.document !== current.document) {
          await bumpDirectory(tx, dir.directory_id);
        }
        return customPolicy(next, current.attachmentCount);
      });
    },

    async get(accountId, policyId) {
      return store.transaction(async (tx) =>
        requirePolicy(tx, await readableDirectory(tx, accountId), policyId),
      );
    },

    async list(accountId, policyType, paging) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        const all: ControlPolicy[] = [];
        if (policyType !== 'Custom')
          all.push(systemPolicy(await countAttachments(tx, dir, FULL_ACCESS_POLICY_ID)));
        if (policyType !== 'System') {
          const rows = await tx
            .selectFrom('rd_control_policies')
            .select(POLICY_COLUMNS)
            .where('directory_id', '=', dir.directory_id)
            .orderBy('create_date')
            .orderBy('policy_id')
            .execute();
          for (const r of rows) all.push(customPolicy(r, await countAttachments(tx, dir, r.policy_id)));
        }
        return page(all, paging);
      });
    },

    async delete(accountId, policyId) {
      await store.transaction(async (tx) => {
        const dir = await managedDirectory(ctx, tx, accountId);
        const current = await requirePolicy(tx, dir, policyId);
        if (current.policyType === 'System') throw cpErr.systemPolicy();
        if (current.attachmentCount > 0) throw cpErr.attached();
        await tx.deleteFrom('rd_control_policies').where('policy_id', '=', policyId).execute();
      });
    },

    attach(accountId, policyId, targetId) {
      return changeAttachment(accountId, policyId, targetId, async (tx, dir) => {
        if (dir.control_policy_status !== 'Enabled') throw cpErr.disabled();
        if (targetId === dir.master_account_id) throw cpErr.managementAccount();
        const present = await attachedPolicyIds(tx, dir, targetId);
        if (present.includes(policyId)) throw cpErr.alreadyAttached();
        if (present.length >= MAX_ATTACHMENTS_PER_TARGET) throw cpErr.tooMany();
        await tx
          .insertInto('rd_control_attachments')
          .values({
            directory_id: dir.directory_id,
            target_id: targetId,
            policy_id: policyId,
            attach_date: now(),
          })
          .execute();
      });
    },

    detach(accountId, policyId, targetId) {
      return changeAttachment(accountId, policyId, targetId, async (tx, dir) => {
        const present = await attachedPolicyIds(tx, dir, targetId);
        if (!present.includes(policyId)) throw cpErr.notAttached();
        if (present.length === 1) throw cpErr.lastPolicy();
        await tx
          .deleteFrom('rd_control_attachments')
          .where('directory_id', '=', dir.directory_id)
          .where('target_id', '=', targetId)
          .where('policy_id', '=', policyId)
          .execute();
      });
    },

    async listForTarget(accountId, targetId) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        await requireTarget(tx, dir, targetId);
        const rows = await attachmentRows(tx, dir, 'target_id', targetId);
        const out: ControlPolicyAttachment[] = [];
        for (const r of rows) {
          const p = await requirePolicy(tx, dir, r.policy_id);
          out.push({
            policyId: p.policyId,
            policyName: p.policyName,
            policyType: p.policyType,
            description: p.description,
            effectScope: p.effectScope,
            attachDate: r.attach_date,
          });
        }
        return out;
      });
    },

    async listTargets(accountId, policyId, paging) {
      return store.transaction(async (tx) => {
        const dir = await readableDirectory(tx, accountId);
        await requirePolicy(tx, dir, policyId);
        const rows = await attachmentRows(tx, dir, 'policy_id', policyId);
        const all: TargetAttachment[] = [];
        for (const r of rows) {
          const node = await findNode(tx, dir, r.target_id);
          if (!node) continue;
          all.push({
            targetId: node.id,
            targetName: node.name,
            targetType: node.kind,
            attachDate: r.attach_date,
          });
        }
        return page(all, paging);
      });
    },
  };
}
