/**
 * `rampart policy ...`: the policy engine alone, no server and no store.
 *   policy eval --cases FILE          decide every case of a decision table (reference format)
 *   policy validate FILE|- [--kind K] errors and lint warnings of one document, as JSON
 *   policy explain --cases FILE --id ID   one case decided, with the explanation paragraph
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  POLICY_KINDS,
  evaluate,
  explainDecision,
  lintPolicy,
  validatePolicy,
  type AuthorizationRequest,
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
    return readFileSync(file === '-' ? 0 : file, 'utf8');
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

function runEval(file: string): void {
  const table = readCases(file);
  const out: string[] = [];
  let failures = 0;
  for (const c of table.cases ?? []) {
    try {
      const d = evaluate(c.policies, c.request);
      out.push(JSON.stringify({ id: c.id, decision: d.decision, decidedBy: tableRefs(d) }));
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
    .description('Validate a policy document (file or - for stdin); prints errors and warnings as JSON')
    .argument('<file>', 'policy document file, or - for standard input')
    .option('--kind <kind>', `policy kind: ${POLICY_KINDS.join(', ')}`, 'permission')
    .option('--where <operation>', 'API operation the document arrives with (chooses the error code)')
    .action((file: string, opts: { kind: string; where?: string }) => {
      try {
        if (!POLICY_KINDS.includes(opts.kind as PolicyKind))
          throw new CliInputError(`unknown kind ${opts.kind}; expected one of ${POLICY_KINDS.join(', ')}`);
        const text = readText(file);
        const kind = opts.kind as PolicyKind;
        const errors = validatePolicy(text, kind, opts.where as DocumentArrival | undefined);
        const warnings = lintPolicy(text, kind);
        process.stdout.write(
          `${JSON.stringify({ valid: errors.length === 0, errors, warnings }, null, 2)}\n`,
        );
        process.exitCode = errors.length > 0 ? 1 : 0;
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
        const c = (readCases(opts.cases).cases ?? []).find((x) => x.id === opts.id);
        if (!c) throw new CliInputError(`no case ${opts.id} in ${opts.cases}`);
        const d = evaluate(c.policies, c.request);
        process.stdout.write(
          `${JSON.stringify({ id: c.id, ...(JSON.parse(JSON.stringify(d)) as object), explanation: explainDecision(d) }, null, 2)}\n`,
        );
        process.exitCode = 0;
      } catch (err) {
        fail(err);
      }
    });
}
