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
