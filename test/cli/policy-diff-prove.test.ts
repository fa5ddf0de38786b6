/** `rampart policy diff OLD NEW --prove` as a child process: output, exit code, and prompt exit. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rampart } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-prove-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, statements: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ Version: '1', Statement: statements }));
  return path;
}

const before = file('old.json', [
  { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:reports/*' },
]);
const after = file('new.json', [
  {
    Effect: 'Allow',
    Action: ['oss:GetObject', 'oss:PutObject'],
    Resource: 'acs:oss:*:*:reports/*',
    Condition: { IpAddress: { 'acs:SourceIp': '192.0.2.0/24' } },
  },
]);

describe('rampart policy diff --prove', () => {
  it('prints the verdict and a witness, and exits', async () => {
    const r = await rampart(['policy', 'diff', before, after, '--prove']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Widens and narrows: each document allows requests the other does not.');
    expect(r.stdout).toContain('A request NEW allows and OLD does not:');
    expect(r.stdout).toMatch(/action: +oss:PutObject/);
    expect(r.stdout).toMatch(/context: +acs:SourceIp = "192\.0\.2\.\d+"/);
    expect(r.stdout).toContain('engine:   OLD ImplicitDeny, NEW Allow');
  });

  it('prints JSON with --format json', async () => {
    const r = await rampart(['policy', 'diff', after, after, '--prove', '--format', 'json']);
    expect(r.code).toBe(0);
    const proof = JSON.parse(r.stdout) as { verdict: string; approximations: string[]; millis: number };
    expect(proof.verdict).toBe('equivalent');
    expect(proof.approximations).toEqual([]);
    expect(typeof proof.millis).toBe('number');
  });

  it('refuses a malformed document with exit 2 and the reason', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject"}]}');
    const r = await rampart(['policy', 'diff', before, broken, '--prove']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rampart policy: NEW is not a valid permission policy: /);
    expect(r.stdout).toBe('');
  });
});
