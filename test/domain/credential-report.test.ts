import { expect, it } from 'vitest';
import {
  createCredentialReports,
  CREDENTIAL_REPORT_COLUMNS,
  STALE_MS,
} from '../../src/domain/credential-report.js';
import { defaultQuotas, type DomainContext } from '../../src/domain/context.js';
import { loadPolicyEngine } from '../../src/domain/policy-engine.js';
import { expectApiError, forEachBackend, type World } from './harness.js';

const PASSWORD = 'Report-Password-2026!';

/** A credential report domain whose builds wait until the test releases them. */
function heldReports(w: World) {
  const held: (() => Promise<void>)[] = [];
  const ctx: DomainContext = {
    store: w.store,
    sealer: w.sealer,
    quotas: defaultQuotas,
    clock: w.clock.fn,
    engine: loadPolicyEngine,
  };
  const reports = createCredentialReports(ctx, (build) => held.push(build));
  return {
    reports,
    held,
    release: async () => {
      for (const build of held.splice(0)) await build();
    },
  };
}

const decode = (content: string) =>
  Buffer.from(content, 'base64')
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));

forEachBackend('credential report', (w) => {
  it('answers EntityNotExist.CredentialReport before any generation', async () => {
    const { reports } = heldReports(w());
    await expectApiError(reports.get(w().accountId), 'EntityNotExist.CredentialReport');
  });

  it('is in progress until the background build completes, then answers the CSV', async () => {
    const { domain, accountId, clock } = w();
    const { reports, held, release } = heldReports(w());
    await domain.users.create(accountId, { userName: 'bob' });
    await domain.loginProfiles.create(accountId, 'bob', { password: PASSWORD });
    const key = await domain.accessKeys.create(accountId, 'bob');
    await domain.users.create(accountId, { userName: 'amy' });

    expect(await reports.generate(accountId)).toBe('STARTED');
    expect(held).toHaveLength(1);
    expect(await reports.generate(accountId)).toBe('INPROGRESS');
    expect(held).toHaveLength(1);
    await expectApiError(reports.get(accountId), 'CredentialReport.InProgress');

    clock.advance(1000);
    await release();
    const page = await reports.get(accountId);
    expect(page.generatedTime).toBe('2026-01-15T10:00:01Z');
    expect(page.isTruncated).toBe(false);
    const rows = decode(page.content);
    expect(rows[0]).toEqual([...CREDENTIAL_REPORT_COLUMNS]);
    const col = (row: string[], name: string) => row[CREDENTIAL_REPORT_COLUMNS.indexOf(name as never)];
    expect(rows.map((r) => r[0])).toEqual([
      'user',
      '<root>',
      `amy@${accountId}.onaliyun.com`,
      `bob@${accountId}.onaliyun.com`,
    ]);
    const bob = rows[3]!;
    expect(col(bob, 'password_exist')).toBe('true');
    expect(col(bob, 'password_active')).toBe('true');
    expect(col(bob, 'password_last_changed')).toBe('2026-01-15T10:00:00Z');
    expect(col(bob, 'password_next_rotation')).toBe('N/A');
    expect(col(bob, 'mfa_active')).toBe('false');
    expect(col(bob, 'access_key_1_exist')).toBe('true');
    expect(col(bob, 'access_key_1_active')).toBe('true');
    expect(col(bob, 'access_key_1_last_rotated')).toBe(key.createDate);
    expect(col(bob, 'access_key_1_last_used')).toBe('N/A');
    expect(col(bob, 'access_key_2_exist')).toBe('false');
    const amy = rows[2]!;
    expect(col(amy, 'password_exist')).toBe('false');
    expect(col(amy, 'password_active')).toBe('N/A');
    expect(col(amy, 'access_key_1_exist')).toBe('false');
    for (const row of rows) expect(row).toHaveLength(CREDENTIAL_REPORT_COLUMNS.length);

    // The report is a snapshot: later changes show in the next generation only.
    await domain.accessKeys.updateStatus(accountId, 'bob', key.accessKeyId, 'Inactive');
    expect(col(decode((await reports.get(accountId)).content)[3]!, 'access_key_1_active')).toBe('true');
    expect(await reports.generate(accountId)).toBe('STARTED');
    clock.advance(1000);
    await release();
    expect(col(decode((await reports.get(accountId)).content)[3]!, 'access_key_1_active')).toBe('false');
  });

  it('shows the password rotation date when the policy sets MaxPasswordAge', async () => {
    const { domain, accountId } = w();
    const { reports, release } = heldReports(w());
    await domain.passwordPolicy.set(accountId, { maxPasswordAge: 30 });
    await domain.users.create(accountId, { userName: 'rotating' });
    await domain.loginProfiles.create(accountId, 'rotating', { password: PASSWORD });
    await reports.generate(accountId);
    await release();
    const rows = decode((await reports.get(accountId)).content);
    expect(rows[2]![CREDENTIAL_REPORT_COLUMNS.indexOf('password_next_rotation')]).toBe(
      '2026-02-14T10:00:00Z',
    );
  });

  it('pages rows with MaxItems and NextToken, the header on every page', async () => {
    const { domain, accountId } = w();
    const { reports, release } = heldReports(w());
    for (const n of ['u1', 'u2', 'u3']) await domain.users.create(accountId, { userName: n });
    await reports.generate(accountId);
    await release();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await reports.get(accountId, { maxItems: 3, nextToken: token });
      const rows = decode(page.content);
      expect(rows[0]![0]).toBe('user');
      seen.push(...rows.slice(1).map((r) => r[0]!));
      token = page.nextToken;
      expect(page.isTruncated).toBe(token !== undefined);
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(['<root>', ...['u1', 'u2', 'u3'].map((n) => `${n}@${accountId}.onaliyun.com`)]);
    await expectApiError(reports.get(accountId, { nextToken: 'garbage' }), 'InvalidParameter');
    await expectApiError(reports.get(accountId, { maxItems: 3502 }), 'InvalidParameter');
  });

  it('refuses a NextToken of an older report', async () => {
    const { domain, accountId, clock } = w();
    const { reports, release } = heldReports(w());
    for (const n of ['a1', 'a2']) await domain.users.create(accountId, { userName: n });
    await reports.generate(accountId);
    await release();
    const first = await reports.get(accountId, { maxItems: 1 });
    clock.advance(2000);
    await reports.generate(accountId);
    await release();
    await expectApiError(reports.get(accountId, { nextToken: first.nextToken }), 'InvalidParameter');
  });

  it('starts again a generation left in progress by a stopped node', async () => {
    const { accountId, clock } = w();
    const { reports, held, release } = heldReports(w());
    expect(await reports.generate(accountId)).toBe('STARTED');
    held.splice(0); // the node stopped: its build never runs
    clock.advance(STALE_MS - 1000);
    expect(await reports.generate(accountId)).toBe('INPROGRESS');
    clock.advance(2000);
    expect(await reports.generate(accountId)).toBe('STARTED');
    await release();
    expect((await reports.get(accountId)).isTruncated).toBe(false);
  });
});

forEachBackend('credential report under parallel calls', (w) => {
  it('starts one generation for parallel GenerateCredentialReport calls', async () => {
    const { reports, held } = heldReports(w());
    const states = await Promise.all(Array.from({ length: 8 }, () => reports.generate(w().accountId)));
    expect(states.filter((s) => s === 'STARTED')).toHaveLength(1);
    expect(states.filter((s) => s === 'INPROGRESS')).toHaveLength(7);
    expect(held).toHaveLength(1);
  });
});
