/**
 * `rampart analyze ...`: access analysis of the caller's account through the API (service
 * `rampart`; credentials and endpoint as for API calls). Each prints the answer as JSON.
 *   analyze who-can --action A --resource R        users and roles allowed, and how
 *   analyze what-can (--user U | --role R)         everything a principal can do, by service
 *   analyze unused [--days N]                      unused users, keys, permissions; no-MFA users
 *   analyze generate-policy (--user U | --role R) [--days N]   least privilege from the trail
 *   analyze external                               roles trusted by principals outside the account
 */
import type { Command } from 'commander';
import { DEFAULT_ENDPOINT, endpointUrl, networkFetchers, signedCall } from './call.js';
import { CredentialsError, resolveCredentials } from './profile.js';

interface Flags {
  readonly profile?: string;
  readonly endpoint?: string;
}

async function call(
  command: string,
  flags: Flags,
  action: string,
  params: [string, string][],
): Promise<number> {
  const env = process.env;
  const endpoint = flags.endpoint ?? (env.RAMPART_ENDPOINT || DEFAULT_ENDPOINT);
  let url: URL;
  let creds;
  try {
    url = endpointUrl(endpoint);
    creds = (
      await resolveCredentials({
        endpoint: flags.endpoint ?? (env.RAMPART_ENDPOINT || undefined),
        profile: flags.profile,
        env,
        fetchers: networkFetchers(endpoint),
      })
    ).credentials;
  } catch (err) {
    if (err instanceof CredentialsError || err instanceof Error) {
      process.stderr.write(`rampart analyze ${command}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let answer;
  try {
    answer = await signedCall(url, creds, 'rampart', action, params);
  } catch (err) {
    process.stderr.write(
      `rampart analyze ${command}: cannot reach ${url.origin}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  if (answer.status < 200 || answer.status >= 300) {
    process.stderr.write(`${answer.body}\n`);
    return 1;
  }
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (
    action === 'GenerateLeastPrivilegePolicy' &&
    typeof body.PolicyDocument === 'string' &&
    body.PolicyDocument
  )
    body.PolicyDocument = JSON.parse(body.PolicyDocument) as unknown;
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  return 0;
}

function principalParams(opts: { user?: string; role?: string }): [string, string][] | undefined {
  if ((opts.user === undefined) === (opts.role === undefined)) return undefined;
  return opts.user !== undefined ? [['UserName', opts.user]] : [['RoleName', opts.role as string]];
}

const common = (c: Command) =>
  c
    .option('--profile <name>', 'credentials profile')
    .option('--endpoint <host:port>', 'API endpoint (default RAMPART_ENDPOINT or 127.0.0.1:8080)');

function done(code: number): void {
  process.exitCode = code;
}

export function register(program: Command): void {
  const analyze = program
    .command('analyze')
    .description(
      'Access analysis: who can do what, unused access, least-privilege policies, external access.',
    );
  common(
    analyze
      .command('who-can')
      .description('Every user and role of the account allowed an action on a resource')
      .requiredOption('--action <action>', 'e.g. oss:GetObject')
      .requiredOption('--resource <arn>', 'e.g. acs:oss:*:*:rnd-data/report.csv'),
  ).action(async (o: Flags & { action: string; resource: string }) =>
    done(
      await call('who-can', o, 'WhoCan', [
        ['AuthAction', o.action],
        ['AuthResource', o.resource],
      ]),
    ),
  );
  common(
    analyze
      .command('what-can')
      .description('Everything a user or a role can do, by service, and the roles it can assume')
      .option('--user <name>')
      .option('--role <name>'),
  ).action(async (o: Flags & { user?: string; role?: string }) => {
    const p = principalParams(o);
    if (!p) {
      process.stderr.write('rampart analyze what-can: give exactly one of --user and --role\n');
      return done(2);
    }
    done(await call('what-can', o, 'WhatCan', p));
  });
  common(
    analyze
      .command('unused')
      .description('Users, AccessKeys and permissions unused for N days, and console users without MFA')
      .option('--days <n>', 'days of the audit trail to read', '90'),
  ).action(async (o: Flags & { days: string }) =>
    done(await call('unused', o, 'ListUnusedAccess', [['Days', o.days]])),
  );
  common(
    analyze
      .command('generate-policy')
      .description('A least-privilege policy from the calls a user or role made in the last N days')
      .option('--user <name>')
      .option('--role <name>')
      .option('--days <n>', 'days of the audit trail to read', '90'),
  ).action(async (o: Flags & { user?: string; role?: string; days: string }) => {
    const p = principalParams(o);
    if (!p) {
      process.stderr.write('rampart analyze generate-policy: give exactly one of --user and --role\n');
      return done(2);
    }
    done(await call('generate-policy', o, 'GenerateLeastPrivilegePolicy', [...p, ['Days', o.days]]));
  });
  common(
    analyze
      .command('external')
      .description('Roles whose trust policy lets in principals outside the account'),
  ).action(async (o: Flags) => done(await call('external', o, 'ListExternalAccess', [])));
}
