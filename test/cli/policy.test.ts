import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the built CLI (npm run build first; `npm test` does it in pretest).
const bin = new URL('../../bin/rampart.js', import.meta.url).pathname;
const fixture = new URL('../fixtures/evaluation-cases.json', import.meta.url).pathname;
const table = JSON.parse(readFileSync(fixture, 'utf8')) as {
  cases: { id: string; expected: { decision: string; decidedBy: object[] } }[];
  invalidDocuments: { id: string; expected: { errorCode: string } }[];
};

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rampart policy eval', () => {
  const r = run(['policy', 'eval', '--cases', fixture]);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const byId = new Map(lines.map((l) => [l.id as string, l]));

  it('exits 0 and prints one line per entry', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines).toHaveLength(table.cases.length + table.invalidDocuments.length);
  });

  it('decides every case as the table expects, decidedBy in the table format', () => {
    for (const c of table.cases) {
      expect(byId.get(c.id), c.id).toEqual({
        id: c.id,
        decision: c.expected.decision,
        decidedBy: c.expected.decidedBy,
      });
    }
  });

  it('rejects every invalid document with its error code', () => {
    for (const d of table.invalidDocuments) {
      expect(byId.get(d.id), d.id).toEqual({ id: d.id, valid: false, errorCode: d.expected.errorCode });
    }
  });

  it('reports a valid document as valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const file = join(dir, 'cases.json');
    writeFileSync(
      file,
      JSON.stringify({
        invalidDocuments: [
          {
            id: 'ok',
            kind: 'session',
            documentText: '{"Version":"1","Statement":{"Effect":"Allow","Action":"oss:*","Resource":"*"}}',
          },
        ],
      }),
    );
    expect(run(['policy', 'eval', '--cases', file])).toEqual({
      code: 0,
      stdout: '{"id":"ok","valid":true}\n',
      stderr: '',
    });
  });

  it('fails with the reason on stderr for a missing or unparseable file', () => {
    const missing = run(['policy', 'eval', '--cases', '/nonexistent/cases.json']);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('cannot read /nonexistent/cases.json');
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"cases": [');
    const bad = run(['policy', 'eval', '--cases', file]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is not JSON');
  });
});

describe('rampart policy validate', () => {
  it('prints errors and warnings, exit 1 on errors', () => {
    const r = run(
      ['policy', 'validate', '-', '--kind', 'session', '--format', 'json'],
      '{"Version":"1","Statement":{"Effect":"Allow","Action":"oss:*","Resource":"*","Principal":["*"]}}',
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      file: string;
      valid: boolean;
      errors: object[];
      warnings: object[];
    };
    expect(out.file).toBe('<stdin>');
    expect(out.valid).toBe(false);
    expect(out.errors).toEqual([
      {
        code: 'InvalidParameter.PolicyGrammar',
        severity: 'error',
        path: 'Statement.Principal',
        message: 'Principal is allowed only in trust policies and bucket policies, not in a session policy',
        reason: 'PrincipalNotAllowed',
      },
    ]);
  });

  it('exit 0 for a valid document, with lint warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const file = join(dir, 'p.json');
    writeFileSync(
      file,
      '{"Version":"1","Statement":[{"Effect":"Allow","NotAction":"ram:*","Resource":"*"}]}',
    );
    const r = run(['policy', 'validate', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { valid: boolean; warnings: { reason: string; path: string }[] };
    expect(out.valid).toBe(true);
    expect(out.warnings.map((w) => [w.reason, w.path])).toEqual([
      ['AllowWithNotAction', 'Statement[0].NotAction'],
    ]);
  });

  it('validates several files, as text by default, exit 1 when any has an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      good,
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetUser","Resource":"*"}]}',
    );
    writeFileSync(bad, '{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}');
    const r = run(['policy', 'validate', good, bad]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${good}: valid permission policy`);
    expect(lines[1]).toMatch(
      new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: error .*MalformedPolicyDocument: `),
    );
    const json = run(['policy', 'validate', good, bad, '--format', 'json']);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { valid: boolean }).valid),
    ).toEqual([true, false]);
  });

  it('rejects an unknown kind', () => {
    const r = run(['policy', 'validate', '-', '--kind', 'nope'], '{}');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown kind nope');
  });
});

describe('rampart policy explain', () => {
  it('explains one case', () => {
    const r = run(['policy', 'explain', '--cases', fixture, '--id', 'seed-002']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { decision: string; missingAllowIn: string; explanation: string };
    expect(out.decision).toBe('ImplicitDeny');
    expect(out.missingAllowIn).toBe('identity');
    expect(out.explanation).toContain(
      'Condition IpAddress["acs:SourceIp"] failed: 198.51.100.7 is not in 192.0.2.0/24',
    );
  });
});

describe('cases and documents the engine would misread', () => {
  const basic = (table.cases as unknown as Record<string, unknown>[]).find((c) => c.id === 'basic-002')!;
  const withDocument = (document: unknown) => ({
    ...basic,
    policies: { identity: [{ name: 'policy-0', attachedTo: 'user', document }] },
  });
  const tableFile = (cases: unknown[]): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'rampart-policy-')), 'cases.json');
    writeFileSync(file, JSON.stringify({ cases }));
    return file;
  };

  it.each([
    [
      'notjson',
      'identity policy policy-0: document: The document is not valid JSON: unexpected "n" at offset 0',
    ],
    [5, 'identity policy policy-0: document: The document must be a JSON object'],
    [
      { Version: '1', Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] },
      'identity policy policy-0: Statement[0].Effect: Effect must be "Allow" or "Deny" (exact case), not "allow"',
    ],
    [
      {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bogus: { 'acs:x': 'y' } } }],
      },
      'identity policy policy-0: Statement[0].Condition.Bogus: "Bogus" is not a condition operator',
    ],
  ])(
    'eval decides a case whose document is malformed (%j) and says what it set aside',
    (document, reason) => {
      const r = run(['policy', 'eval', '--cases', tableFile([withDocument(document)])]);
      // Still a decision (a table may test exactly this), and exit 0: the entry was evaluated.
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: 'basic-002', decision: 'ImplicitDeny' });
      expect(r.stderr).toContain(
        `case basic-002: decided without what the engine cannot read (it grants and denies nothing): ${reason}`,
      );
    },
  );

  it.each([
    [{ policies: undefined }, 'policies is missing (an object with "identity")'],
    [{ policies: { identity: {} } }, 'policies.identity is not a list'],
    [{ request: null }, 'request is missing (an object)'],
    [
      { request: { action: 'oss:GetObject', resource: '*', context: {} } },
      'request.principal is missing (an object)',
    ],
  ])('says what is missing in a case: %j', (change, reason) => {
    const file = tableFile([{ ...basic, ...change, id: 'x' }]);
    const r = run(['policy', 'eval', '--cases', file]);
    expect([r.code, r.stderr]).toEqual([1, `case x: cannot be evaluated: ${reason}\n`]);
    const e = run(['policy', 'explain', '--cases', file, '--id', 'x']);
    expect([e.code, e.stderr]).toEqual([2, `rampart policy: case x: ${reason}\n`]);
  });

  it('reads a document that starts with a byte order mark', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rampart-policy-')), 'bom.json');
    writeFileSync(
      file,
      `\uFEFF${JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:Get*', Resource: '*' }] })}`,
    );
    const r = run(['policy', 'validate', file]);
    expect([r.code, r.stdout]).toEqual([0, `${file}: valid permission policy\n`]);
  });

  it('diff names the document that is not valid, and refuses standard input twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-policy-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(
      good,
      JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'ram:Get*', Resource: '*' }] }),
    );
    writeFileSync(bad, 'notjson');
    expect(run(['policy', 'diff', bad, good]).stderr).toMatch(
      /^rampart policy: OLD is not a valid permission policy: /,
    );
    expect(run(['policy', 'diff', good, bad]).stderr).toMatch(
      /^rampart policy: NEW is not a valid permission policy: /,
    );
    const twice = run(['policy', 'diff', '-', '-'], readFileSync(good, 'utf8'));
    expect([twice.code, twice.stderr]).toEqual([
      2,
      'rampart policy: OLD and NEW cannot both be - (standard input is read once)\n',
    ]);
  });
});
