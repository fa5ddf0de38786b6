/**
 * WebAuthn security keys and passkeys of the root and of RAM users, registered from a console
 * session and usable as the logon's MFA step (docs/console.md). The ceremonies are
 * @simplewebauthn/server's; this module keeps the credentials and the challenges in the
 * store, so any node can finish a ceremony another node started. A challenge is bound to the
 * session or the step token it was issued for (the SHA-256 of either), lives five minutes, and
 * is used once (deleted by the statement that reads it).
 */
import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import { apiErrorWithStatus, type ApiError } from '../errors.js';
import type { DomainContext } from './context.js';

/** The ceremony library, loaded on first use: most processes never run a ceremony. */
type Ceremonies = typeof import('@simplewebauthn/server');
const ceremonies = (): Promise<Ceremonies> => import('@simplewebauthn/server');

/** The root (no userId) or a RAM user of an account. */
export interface WebAuthnOwner {
  readonly accountId: string;
  readonly userId?: string;
}

/** The relying party: the console's host name and its origin, as the browser sees them. */
export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
}

export interface WebAuthnCredentialView {
  readonly credentialId: string;
  readonly name: string;
  readonly createDate: string;
  readonly lastUsedDate?: string;
}

/** A key of an account as its administrators see it: whose it is, its name and dates. */
export interface AccountWebAuthnCredential {
  readonly principalType: 'Root' | 'RAMUser';
  readonly userId?: string;
  readonly userName?: string;
  readonly name: string;
  readonly createDate: string;
  readonly lastUsedDate?: string;
}

export interface WebAuthnDomain {
  has(owner: WebAuthnOwner): Promise<boolean>;
  /** Every key of an account (the root's first, then by user name), or of one user (userId). */
  listInAccount(accountId: string, userId?: string): Promise<AccountWebAuthnCredential[]>;
  list(owner: WebAuthnOwner): Promise<WebAuthnCredentialView[]>;
  /** Deletes one of the owner's credentials; EntityNotExist.WebAuthnCredential when none. */
  remove(owner: WebAuthnOwner, credentialId: string): Promise<void>;
  registrationOptions(
    owner: WebAuthnOwner,
    userName: string,
    keyHash: string,
    rp: RelyingParty,
  ): Promise<Record<string, unknown>>;
  /** Verifies a registration answer to the challenge of keyHash and stores the credential. */
  register(
    owner: WebAuthnOwner,
    keyHash: string,
    response: unknown,
    rp: RelyingParty,
    name: string,
  ): Promise<WebAuthnCredentialView>;
  authenticationOptions(
    owner: WebAuthnOwner,
    keyHash: string,
    rp: RelyingParty,
  ): Promise<Record<string, unknown>>;
  /** Whether an authentication answer to the challenge of keyHash is one of the owner's keys. */
  verify(owner: WebAuthnOwner, keyHash: string, response: unknown, rp: RelyingParty): Promise<boolean>;
}

const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const MAX_CREDENTIALS = 8;
const MAX_NAME = 64;

const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1368}$/;

const invalid = (message: string): ApiError => apiErrorWithStatus('InvalidParameter.WebAuthn', 400, message);

function transportsOf(text: string): AuthenticatorTransportFuture[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v.filter((t) => typeof t === 'string') as AuthenticatorTransportFuture[]) : [];
  } catch {
    return [];
  }
}

export function createWebAuthn(ctx: DomainContext): WebAuthnDomain {
  const { store } = ctx;

  const owned = (owner: WebAuthnOwner) =>
    store.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('account_id', '=', owner.accountId)
      .where('principal_type', '=', owner.userId === undefined ? 'Root' : 'RAMUser')
      .where('user_id', owner.userId === undefined ? 'is' : '=', owner.userId ?? null);

  async function putChallenge(keyHash: string, purpose: string, challenge: string): Promise<void> {
    const expiresAt = new Date(ctx.clock().getTime() + CHALLENGE_TTL_MS).toISOString();
    await store.db
      .insertInto('webauthn_challenges')
      .values({ key_hash: keyHash, purpose, challenge, expires_at: expiresAt })
      .onConflict((c) => c.column('key_hash').doUpdateSet({ purpose, challenge, expires_at: expiresAt }))
      .execute();
  }

  async function takeChallenge(keyHash: string, purpose: string): Promise<string | undefined> {
    const row = await store.db
      .deleteFrom('webauthn_challenges')
      .where('key_hash', '=', keyHash)
      .returningAll()
      .executeTakeFirst();
    if (!row || row.purpose !== purpose || Date.parse(row.expires_at) <= ctx.clock().getTime())
      return undefined;
    return row.challenge;
  }

  const view = (r: {
    credential_id: string;
    name: string;
    create_date: string;
    last_used_date: string | null;
  }): WebAuthnCredentialView => ({
    credentialId: r.credential_id,
    name: r.name,
    createDate: r.create_date,
    ...(r.last_used_date ? { lastUsedDate: r.last_used_date } : {}),
  });

  return {
    async has(owner) {
      return (await owned(owner).executeTakeFirst()) !== undefined;
    },

    async list(owner) {
      return (await owned(owner).orderBy('create_date').execute()).map(view);
    },

    async listInAccount(accountId, userId) {
      let q = store.db
        .selectFrom('webauthn_credentials as w')
        .leftJoin('users as u', (j) =>
          j.onRef('u.account_id', '=', 'w.account_id').onRef('u.user_id', '=', 'w.user_id'),
        )
        .select([
          'w.principal_type',
          'w.user_id',
          'u.user_name',
          'w.name',
          'w.create_date',
          'w.last_used_date',
        ])
        .where('w.account_id', '=', accountId);
      if (userId !== undefined)
        q = q.where('w.principal_type', '=', 'RAMUser').where('w.user_id', '=', userId);
      const rows = await q.orderBy('w.create_date').execute();
      const rank = (r: (typeof rows)[number]): string =>
        r.principal_type === 'Root' ? '' : `1${r.user_name ?? ''}`;
      return rows
        .sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
        .map((r) => ({
          principalType: r.principal_type === 'Root' ? 'Root' : 'RAMUser',
          ...(r.user_id ? { userId: r.user_id } : {}),
          ...(r.user_name ? { userName: r.user_name } : {}),
          name: r.name,
          createDate: r.create_date,
          ...(r.last_used_date ? { lastUsedDate: r.last_used_date } : {}),
        }));
    },

    async remove(owner, credentialId) {
      const r = await store.db
        .deleteFrom('webauthn_credentials')
        .where('credential_id', '=', credentialId)
        .where('account_id', '=', owner.accountId)
        .where('principal_type', '=', owner.userId === undefined ? 'Root' : 'RAMUser')
        .where('user_id', owner.userId === undefined ? 'is' : '=', owner.userId ?? null)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) {
        throw apiErrorWithStatus(
          'EntityNotExist.WebAuthnCredential',
          404,
          'The security key does not exist.',
        );
      }
    },

    async registrationOptions(owner, userName, keyHash, rp) {
      const existing = await owned(owner).execute();
      if (existing.length >= MAX_CREDENTIALS) {
        throw apiErrorWithStatus(
          'LimitExceeded.WebAuthnCredential',
          409,
          `At most ${MAX_CREDENTIALS} security keys per principal.`,
        );
      }
      const { generateRegistrationOptions } = await ceremonies();
      const options = await generateRegistrationOptions({
        rpName: 'Rampart',
        rpID: rp.id,
        userName,
        userID: new TextEncoder().encode(`${owner.accountId}:${owner.userId ?? 'root'}`),
        attestationType: 'none',
        excludeCredentials: existing.map((c) => ({
          id: c.credential_id,
          transports: transportsOf(c.transports),
        })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
      await putChallenge(keyHash, 'register', options.challenge);
      return options as unknown as Record<string, unknown>;
    },

    async register(owner, keyHash, response, rp, name) {
      const challenge = await takeChallenge(keyHash, 'register');
      if (!challenge) throw invalid('No registration is in progress for this session, or it expired.');
      const label = name.trim().slice(0, MAX_NAME) || 'Security key';
      const { verifyRegistrationResponse } = await ceremonies();
      let result;
      try {
        result = await verifyRegistrationResponse({
          response: response as Parameters<Ceremonies['verifyRegistrationResponse']>[0]['response'],
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch (e) {
        throw invalid(`The security key's answer is not valid: ${(e as Error).message}`);
      }
      if (!result.verified || !result.registrationInfo)
        throw invalid('The security key could not be verified.');
      const c = result.registrationInfo.credential;
      const createDate = ctx
        .clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      try {
        await store.db
          .insertInto('webauthn_credentials')
          .values({
            credential_id: c.id,
            account_id: owner.accountId,
            principal_type: owner.userId === undefined ? 'Root' : 'RAMUser',
            user_id: owner.userId ?? null,
            public_key: Buffer.from(c.publicKey).toString('base64url'),
            sign_count: c.counter,
            transports: JSON.stringify(c.transports ?? []),
            name: label,
            create_date: createDate,
            last_used_date: null,
          })
          .execute();
      } catch {
        throw apiErrorWithStatus(
          'EntityAlreadyExists.WebAuthnCredential',
          409,
          'This security key is already registered.',
        );
      }
      return { credentialId: c.id, name: label, createDate };
    },

    async authenticationOptions(owner, keyHash, rp) {
      const creds = await owned(owner).execute();
      if (creds.length === 0) {
        throw apiErrorWithStatus('EntityNotExist.WebAuthnCredential', 404, 'No security key is registered.');
      }
      const { generateAuthenticationOptions } = await ceremonies();
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        allowCredentials: creds.map((c) => ({ id: c.credential_id, transports: transportsOf(c.transports) })),
        userVerification: 'preferred',
      });
      await putChallenge(keyHash, 'authenticate', options.challenge);
      return options as unknown as Record<string, unknown>;
    },

    async verify(owner, keyHash, response, rp) {
      const challenge = await takeChallenge(keyHash, 'authenticate');
      if (!challenge) return false;
      const id = (response as { id?: unknown } | null)?.id;
      // A credential id is base64url (WebAuthn's id): anything else names no key, and is not
      // looked up (a NUL would fail PostgreSQL's text instead of the logon).
      if (typeof id !== 'string' || !CREDENTIAL_ID.test(id)) return false;
      const row = await owned(owner).where('credential_id', '=', id).executeTakeFirst();
      if (!row) return false;
      const { verifyAuthenticationResponse } = await ceremonies();
      try {
        const result = await verifyAuthenticationResponse({
          response: response as Parameters<Ceremonies['verifyAuthenticationResponse']>[0]['response'],
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
          credential: {
            id: row.credential_id,
            publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')),
            counter: Number(row.sign_count),
            transports: transportsOf(row.transports),
          },
        });
        if (!result.verified) return false;
        // The counter only grows: a clone of the key answering with an old counter fails here.
        const updated = await store.db
          .updateTable('webauthn_credentials')
          .set({
            sign_count: result.authenticationInfo.newCounter,
            last_used_date: ctx
              .clock()
              .toISOString()
              .replace(/\.\d{3}Z$/, 'Z'),
          })
          .where('credential_id', '=', row.credential_id)
          .where('sign_count', '=', row.sign_count)
          .executeTakeFirst();
        return Number(updated.numUpdatedRows) === 1;
      } catch {
        return false;
      }
    },
  };
}
