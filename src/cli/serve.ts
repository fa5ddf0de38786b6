import { createServer } from 'node:net';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { checkDeploymentModes, ConfigError, keySource, resolveConfig, type ServeFlags } from '../config.js';
import { defaultScryptParams } from '../crypto/password-hash.js';
import {
  createFirstAccount,
  generatePassword,
  openDeployment,
  rootSecurityWarnings,
  startServer,
  type Deployment,
  type InitResult,
} from '../server.js';

/**
 * Runs `create` when the store has no account yet. On PostgreSQL, nodes started together on an
 * empty database take turns (a transaction-scoped advisory lock held while one looks and
 * creates), so one of them creates the first account, not each.
 */
async function onFirstStart(
  deployment: Deployment,
  create: () => Promise<InitResult>,
): Promise<InitResult | undefined> {
  const ifEmpty = async () => ((await deployment.domain.accounts.list()).length === 0 ? create() : undefined);
  if (deployment.store.dialect !== 'postgres') return ifEmpty();
  return deployment.store.transaction(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('rampart:first-account'))`.execute(tx);
    return ifEmpty();
  });
}

/**
 * `rampart serve --data DIR [--host H] [--port P] [--database-url URL] [--master-key-file PATH]
 * [--tls-cert FILE --tls-key FILE] [--trusted-proxies CIDR,...]`
 */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the API and health endpoints; initializes an empty data directory first.')
    .option('--data <dir>', 'data directory (or RAMPART_DATA)')
    .option('--host <host>', 'listen address (or RAMPART_HOST; default 127.0.0.1)')
    .option('--port <port>', 'listen port, 0 for any free port (or RAMPART_PORT; default 8080)')
    .option('--database-url <url>', 'postgres://... to use PostgreSQL (or RAMPART_DATABASE_URL)')
    .option(
      '--master-key-file <path>',
      'master key file, kept apart from the data (or RAMPART_MASTER_KEY_FILE; default DIR/master.key)',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate chain (or RAMPART_TLS_CERT)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (or RAMPART_TLS_KEY)')
    .option(
      '--trusted-proxies <cidrs>',
      'comma-separated CIDR blocks of proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (or RAMPART_TRUSTED_PROXIES)',
    )
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags);
    });
}

/**
 * The console's URL as printed at the first start. On a loopback address over HTTP it names
 * `localhost` instead (the same socket): security keys (WebAuthn) need a host name, and a
 * browser refuses them on an IP address. Other addresses, and HTTPS (whose certificate names
 * the host), are printed as they are.
 */
export function consoleUrl(serverUrl: string): string {
  const local = serverUrl.replace(/^http:\/\/(?:127\.0\.0\.1|\[::1\]):(\d+)$/, 'http://localhost:$1');
  return `${local}/console/`;
}

/** Listens on host:port and closes at once: rejects as the server's own listen would. */
function probeListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config;
  try {
    config = resolveConfig(flags, env);
    checkDeploymentModes(config.dataDir, keySource(config.dataDir, config));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rampart serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let deployment;
  try {
    deployment = await openDeployment({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      masterKey: config.masterKey,
      masterKeyFile: config.masterKeyFile,
      quotas: config.quotas,
      scrypt: config.scrypt,
      createKey: true,
      audit: config.auditEnabled,
      database: config.database,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rampart serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let generated = false;
  let firstStart: InitResult | undefined;
  try {
    firstStart = await onFirstStart(deployment, async () => {
      // An address that cannot be listened on is found before the first account is made.
      await probeListen(config.host, config.port);
      generated = config.rootPassword === undefined;
      return createFirstAccount(deployment, { rootPassword: config.rootPassword ?? generatePassword() });
    });
  } catch (err) {
    await deployment.close();
    process.stderr.write(`rampart serve: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const firstStartLines = (console: string): string[] =>
    firstStart
      ? [
          'Initialized a new deployment.',
          `  console:       ${console}`,
          `  account id:    ${firstStart.AccountId}`,
          `  root login:    ${firstStart.RootLoginName}`,
          generated
            ? `  root password: ${firstStart.RootPassword}  (shown once; change it after signing in)`
            : '  root password: from RAMPART_ROOT_PASSWORD',
          '  AccessKey:     none yet; `rampart admin create-admin` (same --data and store) makes an administrator and prints its key',
        ]
      : [];
  let running;
  try {
    running = await startServer({ config, deployment });
  } catch (err) {
    await deployment.close();
    // The first account exists now, whether or not the server listens: its root login is
    // printed all the same, since no later start prints it again.
    const lines = firstStartLines('not served: the server did not start');
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(`rampart serve: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  // The signal handlers are in place before the listening line: whoever waits for the line
  // may send SIGTERM at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // The contract: stopped within 5 s (more when the grace period is set longer). Should a
      // step of the shutdown hang, the process still ends, and says so.
      const bound = Math.max(5000, (config.shutdownGraceMs ?? 3000) + 2000);
      setTimeout(() => {
        process.stderr.write(`rampart serve: did not stop within ${bound} ms; exiting\n`);
        // Nothing buffered may hold the exit itself (a full stdout nobody reads would).
        running.abandon();
        process.exit(1);
      }, bound).unref();
      running.stop().then(resolve, (err: unknown) => {
        process.stderr.write(`rampart serve: error while stopping: ${String(err)}\n`);
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  if (firstStart) process.stdout.write(`${firstStartLines(consoleUrl(running.url)).join('\n')}\n`);
  for (const line of await rootSecurityWarnings(deployment)) process.stderr.write(`rampart serve: ${line}\n`);
  if (config.scrypt && config.scrypt.logN < defaultScryptParams.logN) {
    process.stderr.write(
      `rampart serve: warning: new password hashes use scrypt N=2^${config.scrypt.logN} (RAMPART_SCRYPT_COST), cheaper to guess than the default 2^${defaultScryptParams.logN}: for test deployments only\n`,
    );
  }
  process.stdout.write(`listening on ${running.url}\n`);
  await stopped;
  return 0;
}
