import { describe, expect, it } from 'vitest';
import { startPeriodicJob } from '../../src/ops/jobs.js';

describe('startPeriodicJob', () => {
  it('runs at start, then on demand one run at a time, and logs what a run did or why it failed', async () => {
    const lines: string[] = [];
    let running = 0;
    let most = 0;
    let calls = 0;
    const job = startPeriodicJob({
      name: 'test job',
      everyMs: 3_600_000,
      log: (l) => lines.push(l),
      run: async () => {
        calls++;
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (calls === 2) throw new Error('store unreachable');
        return calls === 3 ? 'changed 1 thing' : undefined;
      },
    });
    await Promise.all([job.runNow(), job.runNow()]);
    expect(calls).toBe(3);
    expect(most).toBe(1);
    expect(lines).toEqual(['test job failed: store unreachable', 'test job: changed 1 thing']);
    await job.stop();
    await job.runNow();
    expect(calls).toBe(3);
  });
});
