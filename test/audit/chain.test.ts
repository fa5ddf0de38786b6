/**
 * The hash chain, verification, expiry and automatic changes, on an in-process server whose
 * clock the test moves (SQLite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../compat/ram-helpers.js';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { v3Call } from '../server/http.js';
import { CHECKPOINT_EVERY, chainHash } from '../../src/audit/chain.js';
import type { AuditEvent } from '../../src/audit/event.js';
import { expireEvents } from '../../src/audit/retention.js';
import {
  exportLines,
  parseExport,
  readChainMaterial,
  verifyChains,
  type ChainMaterial,
} from '../../src/audit/verify.js';
import { attributes, storedEvents, syntheticEvent } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(STORES)('audit hash chain (%s)', (store) => {
  let s: InProcessServer;
  const keys = () => ({ accessKeyId: s.rootAccessKeyId, accessKeySecret: s.rootAccessKeySecret });
  const lines: string[] = [];
  // Signed at the server's clock, which the test moves.
  const ram = async (
    action: string,
    params: Record<string, string> = {},
    version = '2015-05-01',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<any> => {
    const r = await v3Call(s, keys(), action, params, { now: s.clock(), version });
    if (r.status !== 200) throw new Error(r.text);
    return r.json();
  };

  beforeAll(async () => {
    s = await startInProcessServer({ store, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await s?.stop();
  });

  const material = async () => {
    await s.deployment.audit.flush();
    return readChainMaterial(s.deployment.store, s.accountId);
  };

  it('chains every event of the account and verifies, with sealed checkpoints', async () => {
    for (let i = 0; i < 3; i++) await ram('CreateUser', { UserName: `chain-${i}` });
    await ram('GetUser', { UserName: 'chain-0' });
    // Enough events to pass a checkpoint.
    const now = s.clock();
    await s.deployment.audit.recordNow(
      Array.from({ length: CHECKPOINT_EVERY }, () => ({
        accountId: s.accountId,
        event: syntheticEvent('Filler', now),
      })),
    );
    const m = await material();
    expect(m.records.map((r) => r.seq)).toEqual(m.records.map((_, i) => i + 1));
    expect(m.checkpoints.length).toBeGreaterThanOrEqual(1);
    const result = verifyChains(m, s.deployment.sealer);
    expect(result).toMatchObject({ ok: true, sealsChecked: true, findings: [] });
    // The export file verifies too, with and without the key.
    const file = parseExport(exportLines(m, s.deployment.sealer).join('\n'));
    expect(verifyChains(file, s.deployment.sealer).ok).toBe(true);
    expect(verifyChains(file).ok).toBe(true);
  });

  const tampered = (m: ChainMaterial, change: (records: ChainMaterial['records'][number][]) => void) => {
    const records = [...m.records];
    change(records);
    return verifyChains({ ...m, records }, s.deployment.sealer);
  };

  it('names the first event changed, removed, inserted or reordered in an exported file', async () => {
    const m = parseExport(exportLines(await material(), s.deployment.sealer).join('\n'));
    const idOf = (i: number) => (JSON.parse(m.records[i]!.body) as AuditEvent).eventId;

    const edited = tampered(m, (r) => {
      r[2] = { ...r[2]!, body: r[2]!.body.replace('chain-2', 'chain-X') };
    });
    expect(edited.findings[0], JSON.stringify(edited.findings)).toMatchObject({
      problem: 'changed',
      seq: 3,
      eventId: idOf(2),
    });

    const removed = tampered(m, (r) => r.splice(1, 1));
    expect(removed.findings[0]).toMatchObject({ problem: 'removed', seq: 2, eventId: idOf(2) });

    const forged = { ...m.records[1]!, body: m.records[1]!.body.replace('chain-1', 'intruder') };
    const inserted = tampered(m, (r) =>
      r.splice(2, 0, { ...forged, hash: chainHash(forged.prevHash, forged.body) }),
    );
    expect(inserted.findings[0]).toMatchObject({ problem: 'inserted-or-reordered', seq: 2 });

    const reordered = tampered(m, (r) => {
      [r[1], r[2]] = [r[2]!, r[1]!];
    });
    expect(reordered.findings[0]).toMatchObject({
      problem: 'inserted-or-reordered',
      seq: 3,
      eventId: idOf(2),
    });

    // The newest events dropped: the head says where the chain ended.
    const truncated = tampered(m, (r) => r.splice(r.length - 2, 2));
    expect(truncated.findings[0]).toMatchObject({ problem: 'truncated' });

    // An edit whose hashes were all recomputed from there on is caught by the sealed checkpoint.
    const rewritten = tampered(m, (r) => {
      let prev = r[1]!.hash;
      for (let i = 2; i < r.length; i++) {
        const body = i === 2 ? r[i]!.body.replace('chain-2', 'chain-Y') : r[i]!.body;
        const hash = chainHash(prev, body);
        r[i] = { ...r[i]!, prevHash: prev, body, hash };
        prev = hash;
      }
    });
    expect(rewritten.findings[0]!.problem).toBe('checkpoint-mismatch');
    // ... and a forged checkpoint has no valid seal.
    const forgedCp = verifyChains(
      { ...m, checkpoints: m.checkpoints.map((c) => ({ ...c, hash: '0'.repeat(64) })) },
      s.deployment.sealer,
    );
    expect(forgedCp.findings[0]!.problem).toBe('checkpoint-seal');
  });

  it('names an event changed in the live store, and lookup columns changed behind its back', async () => {
    const db = s.deployment.store.db;
    const [row] = (await storedEvents(s.deployment.store, s.accountId)).filter(
      (r) => r.event.eventName === 'CreateUser',
    );
    await db
      .updateTable('audit_events')
      .set({ body: row!.body.replace('"chain-0"', '"chain-Z"') })
      .where('account_id', '=', s.accountId)
      .where('seq', '=', row!.seq)
      .execute();
    const r1 = verifyChains(await material(), s.deployment.sealer);
    expect(r1.findings[0]).toMatchObject({ problem: 'changed', seq: row!.seq, eventId: row!.event.eventId });
    await db
      .updateTable('audit_events')
      .set({ body: row!.body, user_name: 'someone-else' })
      .where('account_id', '=', s.accountId)
      .where('seq', '=', row!.seq)
      .execute();
    const r2 = verifyChains(await material(), s.deployment.sealer);
    expect(r2.findings[0]).toMatchObject({ problem: 'columns-changed', seq: row!.seq });
    await db
      .updateTable('audit_events')
      .set({ user_name: 'root' })
      .where('account_id', '=', s.accountId)
      .where('seq', '=', row!.seq)
      .execute();
    expect(verifyChains(await material(), s.deployment.sealer).ok).toBe(true);
  });

  it('records an idle AccessKey disabled by the background job, in the same transaction', async () => {
    await ram('CreateUser', { UserName: 'idle-user' });
    const key = (await ram('CreateAccessKey', { UserName: 'idle-user' })) as {
      AccessKey: { AccessKeyId: string };
    };
    // (MaxIdleDays is set through IMS, which this server does not serve yet: the domain sets it.)
    await s.deployment.domain.securityPreference.set(s.accountId, { maxIdleDaysForAccessKeys: 90 });
    s.clock.advance(91 * DAY);
    await s.server.jobs.idleCredentials.runNow();
    const events = (await storedEvents(s.deployment.store, s.accountId)).filter(
      (r) => r.event.eventName === 'DisableIdleAccessKey',
    );
    expect(events, lines.join('\n')).toHaveLength(1);
    expect(events[0]!.event).toMatchObject({
      eventType: 'AliyunServiceEvent',
      eventRW: 'Write',
      userIdentity: { type: 'system' },
      resourceType: 'ACS::RAM::AccessKey',
      resourceName: key.AccessKey.AccessKeyId,
      requestParameters: { AccessKeyId: key.AccessKey.AccessKeyId, MaxIdleDaysForAccessKeys: '90' },
    });
    const found = await ram('LookupEvents', attributes(['EventName', 'DisableIdleAccessKey']), '2020-07-06');
    expect(found.Events.map((e: AuditEvent) => e.requestParameters.AccessKeyId)).toEqual([
      key.AccessKey.AccessKeyId,
    ]);
    expect(verifyChains(await material(), s.deployment.sealer).ok).toBe(true);
  });

  it('expires whole old events in order and stays verifiable from the oldest kept checkpoint', async () => {
    const before = await material();
    const lastOld = before.records[before.records.length - 1]!;
    s.clock.advance(60 * DAY);
    await ram('GetUser', { UserName: 'chain-1' });
    await ram('GetUser', { UserName: 'chain-2' });
    await s.deployment.audit.flush();
    // 91 days after the first events; the GetUser above is 31 days old.
    s.clock.advance(31 * DAY);
    const result = await expireEvents(s.deployment.store, s.deployment.sealer, s.clock(), 90);
    expect(result.refused).toEqual([]);
    const after = await material();
    expect(after.records[0]!.seq).toBe(lastOld.seq + 1);
    expect(after.records.every((r) => r.seq > lastOld.seq)).toBe(true);
    expect(after.checkpoints[0]).toMatchObject({ seq: lastOld.seq, hash: lastOld.hash });
    expect(verifyChains(after, s.deployment.sealer)).toMatchObject({ ok: true });
    expect(
      verifyChains(parseExport(exportLines(after, s.deployment.sealer).join('\n')), s.deployment.sealer).ok,
    ).toBe(true);
    // Removing one more event at the new start (without a checkpoint) is named.
    const cut = { ...after, records: after.records.slice(1) };
    expect(verifyChains(cut, s.deployment.sealer).findings[0]!.problem).toBe('no-anchor');
    // An account's own retention wins over the default.
    await s.deployment.store.db
      .updateTable('audit_chains')
      .set({ retention_days: 10 })
      .where('account_id', '=', s.accountId)
      .execute();
    s.clock.advance(11 * DAY);
    await expireEvents(s.deployment.store, s.deployment.sealer, s.clock(), 90);
    const later = await material();
    expect(
      later.records.every(
        (r) => Date.parse(r.columns!.event_time as string) >= s.clock().getTime() - 10 * DAY,
      ),
    ).toBe(true);
    expect(verifyChains(later, s.deployment.sealer).ok).toBe(true);
  });
});
