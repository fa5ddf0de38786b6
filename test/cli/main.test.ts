import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { candidates } from '../../src/cli/completion.js';
import { COMMAND_MODULE_OF, registerAll } from '../../src/cli/main.js';

const bin = new URL('../../bin/rampart.js', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('rampart', () => {
  it('prints its version', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
  });

  it('knows the module of every command it registers, and of no other', async () => {
    const program = new Command('rampart');
    await registerAll(program);
    const names = program.commands.map((c) => c.name()).sort();
    expect(Object.keys(COMMAND_MODULE_OF).sort()).toEqual(names);
    // Each command is registered by the module the map names.
    for (const [name, path] of Object.entries(COMMAND_MODULE_OF)) {
      const alone = new Command('rampart');
      (
        (await import(`../../src/cli/${path.replace(/\.js$/, '.ts')}`)) as { register(p: Command): void }
      ).register(alone);
      expect([name, alone.commands.some((c) => c.name() === name)]).toEqual([name, true]);
    }
  });

  it('prints help that names the API call form', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: rampart');
    expect(out).toContain('rampart ram CreateUser --UserName bob');
  });

  it.each([
    [['call', 'ram', 'GetUser'], "error: unknown command 'call'"],
    [['policy', 'eval'], "error: required option '--cases <file>' not specified"],
    [['migrate-store'], "error: required option '--from <dir>' not specified"],
    [['serve', '--nope'], "error: unknown option '--nope'"],
  ])('exits 2 for a usage error commander finds: %j', (args, message) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('completes every command, the ones added last included', () => {
    expect(candidates(['lo'])).toEqual(['login', 'logout']);
    expect(candidates(['au'])).toEqual(['audit']);
    expect(candidates(['an'])).toEqual(['analyze']);
    expect(candidates([''])).toEqual(expect.arrayContaining(Object.keys(COMMAND_MODULE_OF)));
  });
});
