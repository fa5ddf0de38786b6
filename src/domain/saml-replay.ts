import { randomBytes } from 'node:crypto';
import type { DomainContext } from './context.js';

/**
 * What SAML single sign-on keeps in the store, so that it holds across nodes: the IDs of the
 * assertions already accepted (each is accepted once) and the AuthnRequests Rampart sent for
 * SP-initiated logon (each is answered once, within its life).
 */
export interface SamlReplayDomain {
  /**
   * Records an accepted assertion ID of an issuer until `expiresAt`: when the assertion can no
   * longer be accepted anyway, the clock skew allowed included (`acceptedUntil`). False when the
   * same issuer's ID was accepted before: a replay.
   */
  claimAssertion(issuer: string, assertionId: string, expiresAt: Date): Promise<boolean>;
  /** A new AuthnRequest ID for the account, answerable for `ttlSeconds`. */
  createRequest(accountId: string, ttlSeconds: number): Promise<string>;
  /** Consumes a pending AuthnRequest of the account; false when unknown, answered or expired. */
  consumeRequest(accountId: string, requestId: string): Promise<boolean>;
}

/** The longest text kept of an issuer or an ID (longer ones are refused before this point). */
const MAX_KEY = 1024;

export function createSamlReplay(ctx: DomainContext): SamlReplayDomain {
  const { store } = ctx;
  return {
    async claimAssertion(issuer, assertionId, expiresAt) {
      if (issuer.length > MAX_KEY || assertionId.length > MAX_KEY) return false;
      const now = ctx.clock().toISOString();
      return store.transaction(async (tx) => {
        await tx.deleteFrom('saml_assertion_ids').where('expires_at', '<=', now).execute();
        const row = await tx
          .insertInto('saml_assertion_ids')
          .values({ issuer, assertion_id: assertionId, expires_at: expiresAt.toISOString() })
          .onConflict((oc) => oc.columns(['issuer', 'assertion_id']).doNothing())
          .returning('assertion_id')
          .executeTakeFirst();
        return row !== undefined;
      });
    },

    async createRequest(accountId, ttlSeconds) {
      const now = ctx.clock();
      // An NCName (the XML ID type): it must not start with a digit.
      const id = `_${randomBytes(20).toString('hex')}`;
      await store.transaction(async (tx) => {
        await tx.deleteFrom('saml_requests').where('expires_at', '<=', now.toISOString()).execute();
        await tx
          .insertInto('saml_requests')
          .values({
            request_id: id,
            account_id: accountId,
            expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
          })
          .execute();
      });
      return id;
    },

    async consumeRequest(accountId, requestId) {
      if (requestId.length > MAX_KEY) return false;
      const r = await store.db
        .deleteFrom('saml_requests')
        .where('request_id', '=', requestId)
        .where('account_id', '=', accountId)
        .where('expires_at', '>', ctx.clock().toISOString())
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
