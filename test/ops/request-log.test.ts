/**
 * The request log, in process: each line names its own caller (a caller's field is written once
 * per caller, and a renamed caller is named anew); lines queued as bytes reach the reader whole
 * and in order (multi-byte text included); a reader that stops reading costs at most
 * LOG_BUFFER_BYTES of memory: the lines past it are dropped, and the drop is said on stderr.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOG_BUFFER_BYTES, createRequestLog, requestOutcome } from '../../src/ops/log.js';
import type { RequestState } from '../../src/api/steps/state.js';
import type { WireResponse } from '../../src/api/protocol/wire.js';
import type { Principal } from '../../src/auth/principal.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A named pipe: the log writes one end, the test reads the other without waiting (nonblocking). */
function pipe(): { writeFd: number; readFd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
  dirs.push(dir);
  const path = join(dir, 'stdout');
  execFileSync('mkfifo', [path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  return { writeFd, readFd };
}

/** Everything the log writes until it closes its end (end of file), read as it comes. */
async function readAll(fd: number): Promise<string> {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 20);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the log did not close its end of the pipe');
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  closeSync(fd);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request signed by `principal` with `accessKeyId`, as the pipeline leaves it. */
function signedState(requestId: string, principal: Principal, accessKeyId: string): RequestState {
  return {
    wire: { sourceIp: '10.0.0.7' },
    requestId,
    receivedAt: new Date(),
    authentication: { kind: 'signed', scheme: 'V3', principal, accessKeyId },
    allowed: true,
  } as unknown as RequestState;
}

const ok = { status: 200 } as WireResponse;

describe('request log lines', () => {
  it('names the caller of each line, a renamed caller by its new name, and no caller for an unsigned line', async () => {
    const { writeFd, readFd } = pipe();
    const log = createRequestLog('info', writeFd);
    const alice: Principal = { type: 'RAMUser', accountId: '1001', userId: 'u1', userName: 'alice' };
    const renamed: Principal = { ...alice, userName: 'alice2' };
    const role: Principal = {
      type: 'AssumedRole',
      accountId: '1001',
      roleId: 'r1',
      roleName: 'ops',
      sessionName: 's1',
      accessKeyId: 'STS.k2',
    };
    const sent: [string, Principal | undefined, string][] = [];
    for (let i = 0; i < 3000; i++) {
      // Many callers: more than the loggers kept, so the oldest ones are made again.
      const one: [Principal, string][] = [
        [alice, 'LTAIk1'],
        [role, 'STS.k2'],
        [renamed, 'LTAIk1'],
        [{ ...alice, userName: `user${i}` }, `LTAIk${i}`],
      ];
      for (const [p, key] of one) {
        const id = `req-${sent.length}`;
        sent.push([id, p, key]);
        const state = signedState(id, p, key);
        log.request(state, ok, requestOutcome(state, ok, undefined, 1.5));
      }
      const id = `req-${sent.length}`;
      sent.push([id, undefined, '']);
      const anonymous = { ...signedState(id, alice, ''), authentication: undefined } as RequestState;
      log.request(anonymous, ok, requestOutcome(anonymous, ok, undefined, 1));
    }
    const read = readAll(readFd);
    await log.close(10_000);
    const lines = (await read)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { requestId: string; principal?: Record<string, string>; result: string });
    expect(lines.map((l) => l.requestId)).toEqual(sent.map(([id]) => id));
    lines.forEach((line, i) => {
      const [, p, key] = sent[i]!;
      expect(line.result).toBe('Success');
      if (!p) return expect(line.principal).toBeUndefined();
      const name =
        p.type === 'RAMUser'
          ? { userName: p.userName }
          : p.type === 'AssumedRole'
            ? { roleName: p.roleName, sessionName: p.sessionName }
            : {};
      expect(line.principal).toEqual({ type: p.type, accountId: p.accountId, accessKeyId: key, ...name });
    });
  });
});

describe('request log destination', () => {
  it('delivers each line whole, in order, with its multi-byte text', async () => {
    const { writeFd, readFd } = pipe();
    const log = createRequestLog('info', writeFd);
    const names = Array.from({ length: 2000 }, (_, i) => `${i}-用户-Ünïcödé-😀`);
    for (const name of names) log.logger.info({ name }, 'line');
    const read = readAll(readFd);
    await log.close(10_000);
    const lines = (await read).split('\n').filter((l) => l !== '');
    expect(lines.map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(names);
  });

  it('holds at most LOG_BUFFER_BYTES for a reader that stopped, drops the rest and says so', async () => {
    const { writeFd, readFd } = pipe();
    const said: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said.push(String(chunk));
      return true;
    });
    const log = createRequestLog('info', writeFd);
    const filler = 'x'.repeat(1000);
    // Twice the bound while nobody reads: the pipe's own buffer takes a little, the log the rest.
    const total = Math.ceil((2 * LOG_BUFFER_BYTES) / 1000);
    for (let i = 0; i < total; i++) log.logger.info({ i, filler }, 'line');
    expect(said.join('')).toMatch(/stdout is not being read; \d+ request log line\(s\) dropped/);

    // The reader comes back: what was kept arrives whole and in order, and it is within the bound.
    const read = readAll(readFd);
    await log.close(20_000);
    const text = await read;
    const seen = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { i: number }).i);
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen.length).toBeLessThan(total);
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThan(seen[k - 1]!);
    // Held at most the bound, plus what the pipe itself held.
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LOG_BUFFER_BYTES + 1024 * 1024);
  });
});
