/**
 * The secrets file of `rampart apply --secrets-file F`: the passwords and AccessKey secrets the
 * apply creates, as a JSON array. It is made before the first change and written again as soon
 * as each secret is created, so every secret created is on disk however the run ends (an error,
 * an interrupt, a full disk at the next write).
 *
 * Every write is a new file of mode 0600 beside F, renamed into place (writePrivateFileAtomically):
 * nothing is ever written through a symbolic link or into a file someone else made. The first
 * one is linked into place instead, so a name that exists by then, even a dangling link, is
 * refused.
 */
import { lstatSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, writePrivateFileAtomically } from '../../config.js';

export type SecretEntry = Readonly<Record<string, unknown>>;

/** Whether anything has the name: a file, a directory, a symbolic link (dangling or not). */
function taken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const exists = (path: string) => new ConfigError(`${path} exists: name a new file for the secrets`);

export class SecretsFile {
  private readonly entries: SecretEntry[] = [];
  private created = false;

  constructor(readonly path: string) {}

  /** Refuses a name that is taken or whose directory does not exist: before anything changes. */
  check(): void {
    if (taken(this.path)) throw exists(this.path);
    const dir = dirname(resolve(this.path));
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new ConfigError(`cannot write the secrets file ${this.path}: no directory ${dir}`);
  }

  /** Makes the file, holding `[]`, or refuses (ConfigError) when it cannot. */
  create(): void {
    this.check();
    try {
      writePrivateFileAtomically(this.path, '[]\n', { exclusive: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EEXIST') throw exists(this.path);
      throw new ConfigError(`cannot write the secrets file ${this.path}: ${e.message}`);
    }
    this.created = true;
  }

  /** Adds a secret and writes the file again, flushed, before returning. */
  add(entry: SecretEntry): void {
    writePrivateFileAtomically(this.path, `${JSON.stringify([...this.entries, entry], null, 2)}\n`);
    this.entries.push(entry);
  }

  /** How many secrets the file holds. */
  get count(): number {
    return this.entries.length;
  }

  /** Removes the file when it holds no secret (the run ended before the first), so its name can be given again. */
  removeIfEmpty(): void {
    if (this.created && this.entries.length === 0) {
      rmSync(this.path, { force: true });
      this.created = false;
    }
  }
}
