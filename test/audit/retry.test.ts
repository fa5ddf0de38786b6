/**
 * A batch whose append failed after its commit (a writer thread that stopped, or a connection
 * lost, before the answer came back) is tried again, and must then not be appended twice: each
 * event once, the chain whole (SQLite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { CHECKPOINT_EVERY } from '../../src/audit/chain.js';
import { createAuditRecorder } from '../../src/audit/recorder.js';
import { readChainMaterial, verifyChains } from '../../src/audit/verify.js';
import type { Store } from '../../src/store/index.js';
import { eventually, storedEvents, syntheticEvent } from './helpers.js';

type Failure = 'after-commit' | 'before-commit';

/**
 * The store, except that its next audit append fails as `failure` says: after the real append
 * committed, or before anything was written.
 */
function failingOnce(store: Store, failure: Failure): Store {
  let armed = true;
  const fail = async <T>(append: () => Promise<T>): Promise<T> => {
    if (!armed) return append();
    armed = false;
    if (failure === 'after-commit') await append();
    throw new Error('the writer thread stopped');
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'runWriterTask' && target.runWriterTask) {
        const run = target.runWriterTask.bind(target);
        return ((name, input) =>
          name === 'appendAuditEvents'
            ? fail(() => run(name, input))
            : run(name, input)) as Store['runWriterTask'];
      }
      if (prop === 'transaction' && !target.runWriterTask) {
        const transaction = target.transaction.bind(target);
        return ((fn) => fail(() => transaction(fn))) as Store['transaction'];
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe.each(STORES)('audit batches tried again (%s)', (store) => {
  let s: InProcessServer;
  beforeAll(async () => {
    s = await startInProcessServer({ store });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it.each<Failure>(['after-commit', 'before-commit'])(
    'appends each event of a batch once when its first append failed %s',
    async (failure) => {
      const lines: string[] = [];
      const recorder = createAuditRecorder({
        store: failingOnce(s.deployment.store, failure),
        sealer: s.deployment.sealer,
        clock: () => s.clock(),
        flushMs: 5,
        log: (l) => lines.push(l),
      });
      const name = `Retried-${failure}`;
      // More than CHECKPOINT_EVERY events: the batch makes a checkpoint due.
      const events = Array.from({ length: CHECKPOINT_EVERY + 7 }, () => syntheticEvent(name, s.clock()));
      for (const event of events) recorder.record({ accountId: s.accountId, event });
      await recorder.flush();
      expect(lines.join('\n')).toContain('failed (the writer thread stopped); retrying');
      // The retry comes from the recorder's own timer.
      await eventually(async () => expect(recorder.pending()).toBe(0));
      await recorder.close();

      const stored = (await storedEvents(s.deployment.store, s.accountId)).filter(
        (e) => e.event.eventName === name,
      );
      expect(stored.map((e) => e.event.eventId)).toEqual(events.map((e) => e.eventId));
      const m = await readChainMaterial(s.deployment.store, s.accountId);
      expect(verifyChains(m, s.deployment.sealer)).toMatchObject({ ok: true, findings: [] });
      // The checkpoint the batch made due is there, whether or not its first answer was lost.
      expect(m.checkpoints.map((c) => c.seq)).toContain(stored[stored.length - 1]!.seq);
    },
  );
});
