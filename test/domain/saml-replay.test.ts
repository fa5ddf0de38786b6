import { expect, it } from 'vitest';
import { createDomain } from '../../src/domain/create.js';
import { forEachBackend } from './harness.js';

/**
 * SAML single sign-on state in the store (src/domain/saml-replay.ts): an assertion ID of an
 * issuer is accepted once, even when several nodes (domains over one store) claim it at the
 * same moment; an AuthnRequest is answered once, by its own account, within its life.
 */
forEachBackend('SAML replay state', (w) => {
  const otherNode = () => createDomain(w().store, { sealer: w().sealer, clock: w().clock.fn });

  it('accepts an assertion ID once across nodes, until it expires', async () => {
    const until = new Date(w().clock.now.getTime() + 300_000);
    const id = `_a${Date.now()}`;
    const nodes = [w().domain, otherNode(), otherNode()];
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        nodes[i % 3]!.samlReplay.claimAssertion('https://idp.example', id, until),
      ),
    );
    expect(results.filter((r) => r)).toHaveLength(1);
    // The same ID of another issuer is another assertion.
    expect(await w().domain.samlReplay.claimAssertion('https://other-idp.example', id, until)).toBe(true);
    // Once the assertion could no longer be used, its ID is forgotten.
    w().clock.advance(301_000);
    expect(await otherNode().samlReplay.claimAssertion('https://idp.example', `_b${Date.now()}`, until)).toBe(
      true,
    );
    const rows = await w()
      .store.db.selectFrom('saml_assertion_ids')
      .select('assertion_id')
      .where('assertion_id', '=', id)
      .where('issuer', '=', 'https://idp.example')
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('answers an AuthnRequest once, for its own account, within its life', async () => {
    const d = w().domain;
    const a = w().accountId;
    const id = await d.samlReplay.createRequest(a, 600);
    expect(id).toMatch(/^_[0-9a-f]{40}$/);
    const other = (await d.accounts.create({ rootPassword: 'root-password-1' })).accountId;
    expect(await d.samlReplay.consumeRequest(other, id)).toBe(false);
    const [x, y] = await Promise.all([
      d.samlReplay.consumeRequest(a, id),
      otherNode().samlReplay.consumeRequest(a, id),
    ]);
    expect([x, y].filter((r) => r)).toHaveLength(1);
    const late = await d.samlReplay.createRequest(a, 600);
    w().clock.advance(601_000);
    expect(await d.samlReplay.consumeRequest(a, late)).toBe(false);
  });
});
