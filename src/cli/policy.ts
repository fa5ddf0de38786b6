/**
 * `rampart policy ...`: the policy engine alone, no server and no store.
 *   policy eval --cases FILE          decide every case of a decision table (reference format)
 *   policy validate FILE... [--kind K] [--format json]   errors and lint warnings of documents
 *   policy explain --cases FILE --id ID   one case decided, with the explanation paragraph
 *   policy diff OLD NEW [--kind K]    what a change grants and takes away
 *   policy simulate --action A --resource R ...   one request decided (src/cli/policy-simulate.ts)
 *   policy diff OLD NEW --prove       whether NEW widens or narrows OLD, decided by a solver
 */
import { readFileSync } from 'node:fs';
import { diffPolicies, formatDiff } from './policy-diff.js';
import { registerSimulate } from './policy-simulate.js';
import { PolicyProofError, formatProof, provePolicyChange } from '../analysis/prove.js';
import { closeSolver } from '../analysis/solver.js';
import type { Command } from 'commander';
import {
  POLICY_KINDS,
  compilePolicySet,
  evaluate,
  explainDecision,
  lintPolicy,
  validatePolicy,
  type AuthorizationRequest,
  type CompiledPolicySet,
  type Decision,
  type DocumentArrival,
  type PolicyKind,
  type PolicySetInput,
} from '../policy/index.js';

interface CaseEntry {
  readonly id: string;
  readonly policies: PolicySetInput;
  readonly request: AuthorizationRequest;
}

interface InvalidEntry {
  readonly id: string;
  readonly kind: PolicyKind;
  readonly documentText: string;
}

interface CaseFile {
  readonly cases?: readonly CaseEntry[];
  readonly invalidDocuments?: readonly InvalidEntry[];
}

class CliInputError extends Error {}

function readText(file: string): string {
  try {
    // A byte order mark some editors write is no part of the document.
    return readFileSync(file === '-' ? 0 : file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new CliInputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readCases(file: string): CaseFile {
  const text = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CliInputError(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CliInputError(`${file} is not a decision table (expected an object with "cases")`);
  }
  const table = data as CaseFile;
  if (table.cases !== undefined && !Array.isArray(table.cases))
    throw new CliInputError(`${file}: "cases" is not a list`);
  if (table.invalidDocuments !== undefined && !Array.isArray(table.invalidDocuments))
    throw new CliInputError(`${file}: "invalidDocuments" is not a list`);
  return table;
}

/**
 * The policy set of a case, compiled, after checking the case's shape (a case without its
 * request or policies cannot be decided), with what the engine could not read in its documents
 * (a document that is not JSON, a lowercase Effect, an unknown condition operator). Such parts
 * grant and deny nothing, as in a stored policy; the case is still decided, since a decision
 * table may test exactly that, and the caller says what was set aside.
 */
function compiledCase(c: CaseEntry): { set: CompiledPolicySet; problems: readonly string[] } {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(c)) throw new CliInputError('the case is not an object');
  if (!isObject(c.policies)) throw new CliInputError('policies is missing (an object with "identity")');
  if (!Array.isArray(c.policies.identity)) throw new CliInputError('policies.identity is not a list');
  const r = c.request as unknown;
  if (!isObject(r)) throw new CliInputError('request is missing (an object)');
  if (!isObject(r.principal)) throw new CliInputError('request.principal is missing (an object)');
  for (const k of ['action', 'resource'] as const) {
    if (typeof r[k] !== 'string') throw new CliInputError(`request.${k} is missing (a string)`);
  }
  let set: CompiledPolicySet;
  try {
    set = compilePolicySet(c.policies);
  } catch (err) {
    throw new CliInputError(`policies cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { set, problems: set.diagnostics };
}

/** The note on stderr of a case whose documents have parts the engine set aside. */
function problemsNote(id: unknown, problems: readonly string[]): string {
  return `case ${String(id)}: decided without what the engine cannot read (it grants and denies nothing): ${problems.join('; ')}\n`;
}

/** decidedBy as the decision table writes it: layer, level (control only), policy, statement. */
export function tableRefs(d: Decision): object[] {
  return d.decidedBy.map((r) => ({
    layer: r.layer,
    ...(r.layer === 'control' ? { level: r.level ?? 0 } : {}),
    policy: r.policy,
    statement: r.statement,
  }));
}

function fail(err: unknown): void {
  process.stderr.write(`rampart policy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}

/** `policy diff --prove`: the solver's verdict and witnesses (src/analysis/prove.ts). */
async function runProve(oldFile: string, newFile: string, kind: PolicyKind, format: string): Promise<void> {
  try {
    const [before, after] = [readText(oldFile), readText(newFile)];
    let proof;
    try {
      proof = await provePolicyChange(before, after, { kind });
    } catch (err) {
      if (err instanceof PolicyProofError) throw new CliInputError(err.message);
      throw err;
    } finally {
      await closeSolver();
    }
    process.stdout.write(
      format === 'json' ? `${JSON.stringify(proof, null, 2)}\n` : `${formatProof(proof)}\n`,
    );
    process.exitCode = 0;
  } catch (err) {
    fail(err);
  }
}

function runEval(file: string): void {
  const table = readCases(file);
  const out: string[] = [];
  let failures = 0;
  for (const c of table.cases ?? []) {
    try {
      const { set, problems } = compiledCase(c);
      const d = evaluate(set, c.request);
      out.push(JSON.stringify({ id: c.id, decision: d.decision, decidedBy: tableRefs(d) }));
      if (problems.length > 0) process.stderr.write(problemsNote(c.id, problems));
    } catch (err) {
      failures++;
      process.stderr.write(
        `case ${String(c?.id)}: cannot be evaluated: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  for (const d of table.invalidDocuments ?? []) {
    if (typeof d?.documentText !== 'string' || !POLICY_KINDS.includes(d.kind)) {
      failures++;
      process.stderr.write(
        `invalid document ${String(d?.id)}: needs documentText and a kind (${POLICY_KINDS.join(', ')})\n`,
      );
      continue;
    }
    const first = validatePolicy(d.documentText, d.kind)[0];
    out.push(
      JSON.stringify(first ? { id: d.id, valid: false, errorCode: first.code } : { id: d.id, valid: true }),
    );
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  process.exitCode = failures > 0 ? 1 : 0;
}

export function register(program: Command): void {
  const policy = program
    .command('policy')
    .description('Work with RAM policy documents offline (no server needed)');

  policy
    .command('eval')
    .description('Decide every case of a decision table; one JSON object per line')
    .requiredOption('--cases <file>', 'decision table in the evaluation-cases.json format')
    .action((opts: { cases: string }) => {
      try {
        runEval(opts.cases);
      } catch (err) {
        fail(err);
      }
    });

  policy
    .command('validate')
    .description(
      'Validate policy documents (files, or - for stdin): errors and lint warnings; exit 1 when any has an error',
    )
    .argument('<files...>', 'policy document files, or - for standard input')
    .option('--kind <kind>', `policy kind: ${POLICY_KINDS.join(', ')}`, 'permission')
    .option('--where <operation>', 'API operation the document arrives with (chooses the error code)')
    .option('--format <format>', 'text (default) or json: one JSON object per file, one per line', 'text')
    .action((files: string[], opts: { kind: string; where?: string; format: string }) => {
      try {
        if (!POLICY_KINDS.includes(opts.kind as PolicyKind))
          throw new CliInputError(`unknown kind ${opts.kind}; expected one of ${POLICY_KINDS.join(', ')}`);
        if (opts.format !== 'text' && opts.format !== 'json')
          throw new CliInputError(`unknown format ${opts.format}; expected text or json`);
        const kind = opts.kind as PolicyKind;
        let failed = false;
        for (const file of files) {
          const text = readText(file);
          const errors = validatePolicy(text, kind, opts.where as DocumentArrival | undefined);
          const warnings = lintPolicy(text, kind);
          failed ||= errors.length > 0;
          const name = file === '-' ? '<stdin>' : file;
          if (opts.format === 'json') {
            process.stdout.write(
              `${JSON.stringify({ file: name, valid: errors.length === 0, errors, warnings })}\n`,
            );
            continue;
          }
          const line = (what: string, i: { path: string; code: string; message: string }) =>
            `${name}: ${what}${i.path ? ` ${i.path}` : ''}: ${i.code}: ${i.message}`;
          const lines = [...errors.map((e) => line('error', e)), ...warnings.map((w) => line('warning', w))];
          if (errors.length === 0)
            lines.push(
              `${name}: valid ${kind} policy${warnings.length ? ` (${warnings.length} warning(s))` : ''}`,
            );
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        process.exitCode = failed ? 1 : 0;
      } catch (err) {
        fail(err);
      }
    });

  policy
    .command('diff')
    .description('What a change to a policy document grants and takes away, as a readable summary')
    .argument('<old>', 'the document before (file, or - for standard input)')
    .argument('<new>', 'the document after')
    .option('--kind <kind>', `policy kind: ${POLICY_KINDS.join(', ')}`, 'permission')
    .option('--format <format>', 'text (default) or json', 'text')
    .option('--prove', 'decide with a solver whether NEW allows more or less than OLD, with a witness')
    .action((oldFile: string, newFile: string, opts: { kind: string; format: string; prove?: boolean }) => {
      try {
        if (!POLICY_KINDS.includes(opts.kind as PolicyKind))
          throw new CliInputError(`unknown kind ${opts.kind}; expected one of ${POLICY_KINDS.join(', ')}`);
        if (oldFile === '-' && newFile === '-')
          throw new CliInputError('OLD and NEW cannot both be - (standard input is read once)');
        if (opts.prove) return runProve(oldFile, newFile, opts.kind as PolicyKind, opts.format);
        let d;
        try {
          d = diffPolicies(readText(oldFile), readText(newFile), opts.kind as PolicyKind);
        } catch (err) {
          throw new CliInputError((err as Error).message);
        }
        process.stdout.write(
          opts.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : `${formatDiff(d)}\n`,
        );
        process.exitCode = 0;
      } catch (err) {
        fail(err);
      }
    });

  policy
    .command('explain')
    .description('Decide one case of a decision table and explain the decision')
    .requiredOption('--cases <file>', 'decision table in the evaluation-cases.json format')
    .requiredOption('--id <id>', 'case id')
    .action((opts: { cases: string; id: string }) => {
      try {
        const c = (readCases(opts.cases).cases ?? []).find((x) => x?.id === opts.id);
        if (!c) throw new CliInputError(`no case ${opts.id} in ${opts.cases}`);
        let compiled: ReturnType<typeof compiledCase>;
        try {
          compiled = compiledCase(c);
        } catch (err) {
          throw new CliInputError(`case ${opts.id}: ${(err as Error).message}`);
        }
        if (compiled.problems.length > 0) process.stderr.write(problemsNote(c.id, compiled.problems));
        const d = evaluate(compiled.set, c.request);
        process.stdout.write(
          `${JSON.stringify({ id: c.id, ...(JSON.parse(JSON.stringify(d)) as object), explanation: explainDecision(d) }, null, 2)}\n`,
        );
        process.exitCode = 0;
      } catch (err) {
        fail(err);
      }
    });

  registerSimulate(policy);
}
