/**
 * `rampart workload ...`: workload identities, on the store directly (an operator act, like
 * `rampart admin`). A workload bound to a role fetches the role's temporary credentials from
 * `<endpoint>/workload/credentials/<token>`; the token is printed once, at creation.
 *   workload create --name N --role R [--networks CIDR;...] [--duration S] [--account ID]
 *   workload list [--account ID]
 *   workload revoke --name N [--account ID]
 */
import type { Command } from 'commander';
import { ConfigError } from '../config.js';
import { recordOperatorAction } from '../operator-log.js';
import { WORKLOAD_CREDENTIALS_PATH, type Deployment } from '../server.js';
import { chooseAccount, runAdmin, type Output } from './admin.js';
import { withDeploymentOptions, type DeploymentFlags } from './deployment-options.js';

interface WorkloadFlags extends DeploymentFlags {
  readonly account?: string;
  readonly name?: string;
  readonly role?: string;
  readonly networks?: string;
  readonly duration?: string;
}

export function register(program: Command): void {
  const workload = program
    .command('workload')
    .description(
      'Workload identities: programs that get a role’s temporary credentials without an AccessKey.',
    );
  const common = (cmd: Command): Command =>
    withDeploymentOptions(cmd).option(
      '--account <id>',
      'account id or alias (when the deployment has several)',
    );
  common(
    workload
      .command('create')
      .description('Bind a workload to a role; prints its credentials URI path once.')
      .requiredOption('--name <name>', 'name of the workload (letters, digits, . _ -)')
      .requiredOption(
        '--role <role>',
        'the role whose credentials it gets (its trust policy must trust the account)',
      )
      .option('--networks <cidrs>', 'the only networks it may call from, e.g. 10.0.0.0/8;192.0.2.7')
      .option(
        '--duration <seconds>',
        'lifetime of each set of credentials (900 to the role’s MaxSessionDuration)',
      ),
  ).action(async (flags: WorkloadFlags) => {
    process.exitCode = await runAdmin('workload create', flags, createWorkload);
  });
  common(workload.command('list').description('The workloads of an account.')).action(
    async (flags: WorkloadFlags) => {
      process.exitCode = await runAdmin('workload list', flags, listWorkloads);
    },
  );
  common(
    workload
      .command('revoke')
      .description('Remove a workload: its URI stops working and the credentials it got end at once.')
      .requiredOption('--name <name>', 'name of the workload'),
  ).action(async (flags: WorkloadFlags) => {
    process.exitCode = await runAdmin('workload revoke', flags, revokeWorkload);
  });
}

export async function createWorkload(d: Deployment, flags: WorkloadFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  if (flags.duration !== undefined && !/^[0-9]{1,6}$/.test(flags.duration))
    throw new ConfigError(
      `--duration must be a whole number of seconds, not ${JSON.stringify(flags.duration)}.`,
    );
  const duration = flags.duration === undefined ? undefined : Number(flags.duration);
  const w = await d.domain.workloads.create(account.accountId, {
    name: flags.name ?? '',
    roleName: flags.role ?? '',
    ...(flags.networks !== undefined ? { networks: flags.networks } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
  });
  const path = `${WORKLOAD_CREDENTIALS_PATH}${w.token}`;
  await recordOperatorAction(d.store, {
    action: 'workload.create',
    accountId: account.accountId,
    detail: { workloadId: w.workloadId, name: w.name, roleName: w.roleName, networks: w.networks },
  });
  return {
    json: {
      WorkloadId: w.workloadId,
      Name: w.name,
      RoleName: w.roleName,
      Networks: w.networks,
      DurationSeconds: w.durationSeconds,
      CredentialsPath: path,
    },
    lines: [
      `workload ${w.name} (${w.workloadId}) bound to role ${w.roleName}`,
      `credentials URI (shown once; keep it secret): http://<host>:<port>${path}`,
      `give it to the workload as ALIBABA_CLOUD_CREDENTIALS_URI (and ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)`,
    ],
  };
}

async function listWorkloads(d: Deployment, flags: WorkloadFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  const list = await d.domain.workloads.list(account.accountId);
  return {
    json: {
      Workloads: list.map((w) => ({
        WorkloadId: w.workloadId,
        Name: w.name,
        RoleName: w.roleName,
        Networks: w.networks,
        DurationSeconds: w.durationSeconds,
        CreateDate: w.createDate,
        ...(w.lastUsedDate ? { LastUsedDate: w.lastUsedDate } : {}),
      })),
    },
    lines:
      list.length === 0
        ? ['no workloads']
        : list.map(
            (w) =>
              `${w.name}\trole ${w.roleName || '(deleted)'}\tnetworks ${w.networks || 'any'}\tlast used ${w.lastUsedDate ?? 'never'}`,
          ),
  };
}

async function revokeWorkload(d: Deployment, flags: WorkloadFlags): Promise<Output> {
  const account = await chooseAccount(d, flags.account);
  const removed = await d.domain.workloads.revoke(account.accountId, flags.name ?? '');
  await recordOperatorAction(d.store, {
    action: 'workload.revoke',
    accountId: account.accountId,
    detail: { workloadId: removed.workloadId, name: removed.name },
  });
  return { json: { Revoked: removed.name }, lines: [`workload ${removed.name} revoked`] };
}
