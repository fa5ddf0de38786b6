/**
 * `rampart completion bash|zsh`: a completion script. It asks `rampart __complete <words>` for
 * the candidates, which come from the API metadata (products, actions, parameters) and the
 * command list, so the script never goes stale.
 */
import type { Command } from 'commander';
import { COMMAND_MODULE_OF } from './main.js';
import { actionParams, productActions, PRODUCTS } from './metadata.js';

/** Every command, from the same map that loads them: a new command is completed at once. */
const COMMANDS = Object.keys(COMMAND_MODULE_OF);
const CALL_OPTIONS = [
  '--profile',
  '--endpoint',
  '--region',
  '--output',
  '--pager',
  '--dryrun',
  '--quiet',
  '--help',
  '--config-path',
];

/** Candidates for the last word of `words` (the words after `rampart`). */
export function candidates(words: readonly string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const products = [...PRODUCTS, 'actiontrail'];
  let all: string[];
  if (before.length === 0) all = [...products, ...COMMANDS];
  else if (products.includes(before[0]!)) {
    const product = before[0]!;
    if (before.length === 1) all = Object.keys(productActions(product) ?? {});
    else {
      const given = new Set(before.filter((w) => w.startsWith('--')));
      const params = (actionParams(product, before[1]!) ?? []).map((p) => `--${p.name}`);
      all = [...params, ...CALL_OPTIONS].filter((o) => !given.has(o));
    }
  } else all = [];
  return all.filter((c) => c.startsWith(current)).sort();
}

const BASH = `# rampart completion for bash: source <(rampart completion bash)
_rampart() {
  local IFS=$'\\n'
  COMPREPLY=($(rampart __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _rampart rampart
`;

const ZSH = `#compdef rampart
# rampart completion for zsh: source <(rampart completion zsh)
_rampart() {
  local -a items
  items=("\${(@f)$(rampart __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a items
}
compdef _rampart rampart
`;

export function register(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script: source <(rampart completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        process.stderr.write('rampart completion: bash or zsh\n');
        process.exitCode = 2;
        return;
      }
      process.stdout.write(shell === 'bash' ? BASH : ZSH);
    });
}
