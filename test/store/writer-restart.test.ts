import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WriterThread } from '../../src/store/sqlite/writer-client.js';

/**
 * When a stopped writer thread is started again (src/store/sqlite/open.ts): the thread is a
 * stand-in here, whose life and readiness the test decides; the claims it does not take run on
 * the store's own connection. test/store/writer-thread.test.ts stops and restarts a real one.
 */
interface StandIn extends WriterThread {
  alive: boolean;
  ready: boolean;
  readonly tasks: string[];
}

/** The stand-ins started, in order; `opensAtOnce` false: the next one is not ready when started. */
const control = vi.hoisted(() => ({ started: [] as StandIn[], opensAtOnce: true }));
const { started } = control;

vi.mock('../../src/store/sqlite/writer-client.js', () => ({
  startWriterThread: (): WriterThread => {
    const thread: StandIn = {
      alive: true,
      ready: control.opensAtOnce,
      tasks: [],
      run(name, input) {
        thread.tasks.push(name);
        const claims = (input as unknown as { claims: unknown[] }).claims;
        return Promise.resolve(claims.map(() => true)) as never;
      },
      close: async () => {
        thread.alive = false;
      },
    };
    started.push(thread);
    return thread;
  },
}));

const { openSqliteStore, WRITER_RESTART_FIRST_MS } = await import('../../src/store/sqlite/open.js');

describe('writer thread restarts', () => {
  let dir: string;
  let now: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-restart-'));
    started.length = 0;
    control.opensAtOnce = true;
    now = Date.parse('2026-06-01T00:00:00.000Z');
    vi.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits a second after a stop, then twice as long, and uses a new thread only once it is ready', async () => {
    const store = openSqliteStore({ file: join(dir, 'rampart.db'), writerThread: true });
    try {
      await store.migrate();
      let n = 0;
      const claim = async () => {
        const expiresAt = new Date(now + 60_000).toISOString();
        const nonce = `nonce-${++n}`;
        return store.claimNonces(
          [{ accessKeyId: 'LTAIrestart', nonce, expiresAt }],
          new Date(now).toISOString(),
          false,
        );
      };
      /** Claims once; answers which stand-in took it, or 'here' for the store's own connection. */
      const whoClaims = async () => {
        const before = started.map((t) => t.tasks.length);
        expect(await claim()).toEqual([true]);
        const i = started.findIndex((t, k) => t.tasks.length > (before[k] ?? 0));
        return i < 0 ? 'here' : i;
      };

      /**
       * Stops the newest thread; its tasks run here for `pauseMs`, then a claim starts a new
       * one, which has not opened its file yet: that claim runs here too.
       */
      const stopAndRestart = async (pauseMs: number) => {
        const count = started.length;
        started[count - 1]!.alive = false;
        expect(await whoClaims()).toBe('here');
        now += pauseMs - 1;
        expect(await whoClaims()).toBe('here');
        expect(started).toHaveLength(count);
        now += 1;
        control.opensAtOnce = false;
        expect(await whoClaims()).toBe('here');
        control.opensAtOnce = true;
        expect(started).toHaveLength(count + 1);
      };

      // The first thread is used at once.
      expect(await whoClaims()).toBe(0);
      await stopAndRestart(WRITER_RESTART_FIRST_MS);
      // Once it has opened its file, the new thread takes the claims.
      started[1]!.ready = true;
      expect(await whoClaims()).toBe(1);
      // Each next stop doubles the pause.
      await stopAndRestart(2 * WRITER_RESTART_FIRST_MS);
      // A thread that stops before it is ready took no task.
      await stopAndRestart(4 * WRITER_RESTART_FIRST_MS);
      expect(started[2]!.tasks).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
