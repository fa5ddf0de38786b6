/**
 * The questions of `rampart configure` and `rampart login` over a pipe: one line per answer, in
 * order, and the end of the input before an answer an error (exit 2), never a silent exit 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrompter, NoInputError } from '../../src/cli/prompt.js';
import { childEnv, tempDir } from '../helpers/cli.js';
import { BIN } from '../helpers/server.js';

let dir: string;
let remove: () => void;
beforeAll(() => {
  ({ dir, remove } = tempDir('rampart-prompt-'));
});
afterAll(() => remove());

/** `rampart ...args` with `input` on standard input, to its end. */
function withInput(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: childEnv({ ALIBABA_CLOUD_CONFIG_FILE: '', ALIBABA_CLOUD_PROFILE: '' }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('createPrompter', () => {
  it('answers each question with the next line, and fails every question after the end', async () => {
    const input = new PassThrough();
    const p = createPrompter(input, new PassThrough());
    input.end('one\ntwo\n');
    expect(await p.ask('First: ')).toBe('one');
    expect(await p.ask('Second: ')).toBe('two');
    await expect(p.ask('Third: ')).rejects.toThrow(new NoInputError('Third: '));
    await expect(p.ask('Fourth: ')).rejects.toThrow('no input: the input ended before an answer to "Fourth"');
    p.close();
  });

  it('fails a question already waiting when the input ends', async () => {
    const input = new PassThrough();
    const p = createPrompter(input, new PassThrough());
    const waiting = p.ask('Password: ', true);
    input.end();
    await expect(waiting).rejects.toThrow('no input: the input ended before an answer to "Password"');
  });
});

describe('rampart configure over a pipe', () => {
  it('takes one answer a line', async () => {
    const path = join(dir, 'piped.json');
    const r = await withInput(
      ['configure', '--profile', 'piped', '--config-path', path],
      'AKIDPIPED\nSECRETPIPED\ncn-shanghai\n127.0.0.1:47301\n',
    );
    expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { profiles: Record<string, unknown>[] };
    expect(file.profiles).toEqual([
      {
        name: 'piped',
        mode: 'AK',
        access_key_id: 'AKIDPIPED',
        access_key_secret: 'SECRETPIPED',
        region_id: 'cn-shanghai',
        endpoint: '127.0.0.1:47301',
      },
    ]);
  });

  it.each([
    ['', 'Access Key Id'],
    ['AKID\n', 'Access Key Secret'],
  ])('exits 2 when the input ends before an answer (input %j)', async (input, question) => {
    const path = join(dir, `eof-${input.length}.json`);
    const r = await withInput(['configure', '--profile', 'eof', '--config-path', path], input);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `rampart configure: no input: the input ended before an answer to "${question}"`,
    );
    expect(existsSync(path)).toBe(false);
  });
});

describe('rampart login over a pipe', () => {
  it('exits 2 when the input ends before the password', async () => {
    const path = join(dir, 'login.json');
    const r = await withInput(
      [
        'login',
        '--profile',
        'lp',
        '--endpoint',
        '127.0.0.1:9',
        '--name',
        'root@x.onaliyun.com',
        '--config-path',
        path,
      ],
      '',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rampart login: no input: the input ended before an answer to "Password"');
    expect(existsSync(path)).toBe(false);
  });

  it('exits 2 when the input ends before the login name', async () => {
    const r = await withInput(
      ['login', '--endpoint', '127.0.0.1:9', '--config-path', join(dir, 'l2.json')],
      '',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'no input: the input ended before an answer to "Login name (name@alias.onaliyun.com)"',
    );
  });
});
