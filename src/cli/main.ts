import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

/** Products callable as `rampart <product> <Action> --Param value`, like the aliyun CLI. */
export const PRODUCTS = ['ram', 'ims', 'sts', 'resourcemanager', 'actiontrail'] as const;

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A command module: src/cli/<name>.ts exports register(program). */
interface CommandModule {
  register(program: Command): void;
}

const COMMAND_MODULES = [
  './init.js',
  './serve.js',
  './policy.js',
  './keys.js',
  './admin.js',
  './workload.js',
  './configure.js',
  './completion.js',
  './org.js',
  './login.js',
  './audit.js',
  './backup.js',
  './migrate-store.js',
  './analyze.js',
];

/**
 * The module of each command, so a command loads only its own (and what it imports): the
 * others stay unread. Help, a version request and anything unknown load them all.
 * test/cli/main.test.ts checks this against what the modules register.
 */
export const COMMAND_MODULE_OF: Readonly<Record<string, string>> = {
  init: './init.js',
  serve: './serve.js',
  policy: './policy.js',
  keys: './keys.js',
  admin: './admin.js',
  workload: './workload.js',
  configure: './configure.js',
  completion: './completion.js',
  plan: './org.js',
  apply: './org.js',
  export: './org.js',
  login: './login.js',
  logout: './login.js',
  audit: './audit.js',
  backup: './backup.js',
  restore: './backup.js',
  'migrate-store': './migrate-store.js',
  analyze: './analyze.js',
};

/** Registers every command on `program` (help, completion of command names, the map's test). */
export async function registerAll(program: Command): Promise<void> {
  for (const path of COMMAND_MODULES) {
    const mod = (await import(path)) as CommandModule;
    mod.register(program);
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [first] = argv;
  if (first === '__complete') {
    // The shell completion scripts ask here; the words may look like options.
    const { candidates } = await import('./completion.js');
    process.stdout.write(`${candidates(argv.length > 1 ? argv.slice(1) : ['']).join('\n')}\n`);
    return 0;
  }
  if (first && (PRODUCTS as readonly string[]).includes(first)) {
    const { runCall } = (await import('./call.js')) as {
      runCall(argv: readonly string[]): Promise<number>;
    };
    return runCall(argv);
  }

  const program = new Command('rampart')
    .description('Rampart: self-hosted Resource Access Management, wire-compatible with Alibaba Cloud RAM.')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    // A subcommand's options are its own, even when its parent has one of the same name.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `\nAPI calls, in the style of the aliyun CLI:\n  rampart <${PRODUCTS.join('|')}> <Action> [--Param value ...] [--profile P] [--endpoint H:P]\n  e.g. rampart ram CreateUser --UserName bob`,
    );
  const own =
    first !== undefined && Object.hasOwn(COMMAND_MODULE_OF, first) ? COMMAND_MODULE_OF[first] : undefined;
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (own && !wantsHelp) ((await import(own)) as CommandModule).register(program);
  else await registerAll(program);
  // A word that is neither a command nor a product, but close to a product: say which.
  if (first && !first.startsWith('-') && !program.commands.some((c) => c.name() === first)) {
    const { didYouMean } = await import('./metadata.js');
    const guess = didYouMean(first, PRODUCTS);
    if (guess) {
      process.stderr.write(`rampart: unknown product: ${first}; did you mean ${guess}?\n`);
      return 2;
    }
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // Commander's own refusals (an unknown command or option, a missing argument or required
    // option, a command without its subcommand) are usage errors: exit 2, as everywhere else.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
}
