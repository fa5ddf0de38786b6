import { paramError } from '../errors.js';
import { isUniqueViolation } from '../store/errors.js';
import { err } from './messages.js';
import type { Tx } from '../store/index.js';
import type { DomainContext } from './context.js';
import { defaultDomain, invalid, lockAccount, nowIso } from './common.js';
import { checkAuthnSignAlgo, checkSamlMetadata } from './federation-providers.js';
import { asciiLowerCase } from '../text.js';

/**
 * The account's user-based SSO settings (IMS SetUserSsoSettings / GetUserSsoSettings, reference
 * sso.md 1.2): stored and validated. With SSO enabled, RAM users log on through the IdP (the
 * logon flow is not part of this module); the auxiliary domain is a second suffix accepted in
 * user principal names (`name@<auxiliary domain>`) besides the default domain.
 */
export interface UserSsoSettings {
  /** Base64 of the IdP's SAML metadata; '' until set. */
  readonly metadataDocument: string;
  readonly ssoEnabled: boolean;
  /** '' when none. */
  readonly auxiliaryDomain: string;
  readonly ssoLoginWithDomain: boolean;
  /** `rsa-sha256` or `rsa-sha1`. */
  readonly authnSignAlgo: string;
}

export interface SetUserSsoSettingsInput {
  readonly metadataDocument?: string;
  readonly ssoEnabled?: boolean;
  /** '' clears it. */
  readonly auxiliaryDomain?: string;
  readonly ssoLoginWithDomain?: boolean;
  readonly authnSignAlgo?: string;
}

export interface SsoSettingsDomain {
  /** GetUserSsoSettings (defaults until set). */
  get(accountId: string): Promise<UserSsoSettings>;
  /**
   * SetUserSsoSettings: fields left undefined keep their value. Throws
   * InvalidParameter.MetadataDocument (not base64 of SAML IdP metadata with a signing
   * certificate, or SSO enabled without one), InvalidParameter.AuxiliaryDomain,
   * InvalidParameter.AuthnSignAlgo, EntityAlreadyExists.AuxiliaryDomain (another account of the
   * deployment holds that auxiliary domain, ignoring case: a login name `name@<domain>` must
   * name one account).
   */
  set(accountId: string, input: SetUserSsoSettingsInput): Promise<UserSsoSettings>;
  /**
   * The domains a user principal name of the account may end with, lower-cased: the default
   * domain, then the auxiliary domain when one is set.
   */
  principalDomains(accountId: string): Promise<readonly string[]>;
  /** The account whose auxiliary domain this is (ignoring case); undefined when none. */
  accountOfAuxiliaryDomain(domain: string): Promise<string | undefined>;
}

export const defaultUserSsoSettings: UserSsoSettings = {
  metadataDocument: '',
  ssoEnabled: false,
  auxiliaryDomain: '',
  ssoLoginWithDomain: true,
  authnSignAlgo: 'rsa-sha1',
};

const DOMAIN = /^(?=.{1,64}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * An auxiliary domain: a DNS name of at most 64 characters, not one of the service's own
 * domains; stored lower-case. Only A-Z are lower-cased, so a letter of another script that
 * lower-cases to ASCII (the Kelvin sign) is refused as any other non-ASCII character.
 */
export function checkAuxiliaryDomain(value: string): string {
  const domain = asciiLowerCase(value);
  if (!DOMAIN.test(domain) || domain.endsWith('.onaliyun.com') || domain === 'onaliyun.com') {
    throw paramError(
      'InvalidParameter.AuxiliaryDomain',
      'The parameter - "AuxiliaryDomain" MUST be a domain name of at most 64 characters outside onaliyun.com.',
    );
  }
  return domain;
}

async function read(tx: Tx, accountId: string): Promise<{ settings: UserSsoSettings; alias: string | null }> {
  const row = await tx
    .selectFrom('accounts')
    .select(['user_sso_settings', 'alias'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw invalid(`The account does not exist: ${accountId}.`);
  return {
    settings: {
      ...defaultUserSsoSettings,
      ...(row.user_sso_settings ? (JSON.parse(row.user_sso_settings) as Partial<UserSsoSettings>) : {}),
    },
    alias: row.alias,
  };
}

export function createSsoSettings(ctx: DomainContext): SsoSettingsDomain {
  const { store } = ctx;
  return {
    get: async (accountId) => (await read(store.db, accountId)).settings,

    async accountOfAuxiliaryDomain(domain) {
      const key = asciiLowerCase(domain);
      if (key === '' || key.length > 64) return undefined;
      const row = await store.db
        .selectFrom('accounts')
        .select('account_id')
        .where('auxiliary_domain', '=', key)
        .executeTakeFirst();
      return row?.account_id;
    },

    async principalDomains(accountId) {
      const { settings, alias } = await read(store.db, accountId);
      const own = asciiLowerCase(defaultDomain(accountId, alias));
      return settings.auxiliaryDomain ? [own, settings.auxiliaryDomain] : [own];
    },

    async set(accountId, input) {
      const next: { -readonly [K in keyof UserSsoSettings]?: UserSsoSettings[K] } = {};
      if (input.metadataDocument !== undefined) {
        if (input.metadataDocument !== '') checkSamlMetadata(input.metadataDocument, 'MetadataDocument');
        next.metadataDocument = input.metadataDocument.replace(/\s+/g, '');
      }
      if (input.auxiliaryDomain !== undefined) {
        next.auxiliaryDomain =
          input.auxiliaryDomain === '' ? '' : checkAuxiliaryDomain(input.auxiliaryDomain);
      }
      checkAuthnSignAlgo(input.authnSignAlgo);
      if (input.authnSignAlgo !== undefined) next.authnSignAlgo = input.authnSignAlgo;
      if (input.ssoEnabled !== undefined) next.ssoEnabled = input.ssoEnabled;
      if (input.ssoLoginWithDomain !== undefined) next.ssoLoginWithDomain = input.ssoLoginWithDomain;
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const merged: UserSsoSettings = { ...(await read(tx, accountId)).settings, ...next };
        if (merged.ssoEnabled && merged.metadataDocument === '') {
          throw paramError(
            'InvalidParameter.MetadataDocument',
            'The parameter - "MetadataDocument" MUST be set to enable user-based SSO.',
          );
        }
        const auxiliaryDomain = merged.auxiliaryDomain === '' ? null : merged.auxiliaryDomain;
        if (auxiliaryDomain !== null) {
          const holder = await tx
            .selectFrom('accounts')
            .select('account_id')
            .where('auxiliary_domain', '=', auxiliaryDomain)
            .where('account_id', '<>', accountId)
            .executeTakeFirst();
          if (holder) throw err.auxiliaryDomainTaken(auxiliaryDomain);
        }
        try {
          await tx
            .updateTable('accounts')
            .set({
              user_sso_settings: JSON.stringify(merged),
              auxiliary_domain: auxiliaryDomain,
              update_date: nowIso(ctx),
            })
            .where('account_id', '=', accountId)
            .execute();
        } catch (e) {
          // Another account took the domain between the check and the write (the unique index).
          if (isUniqueViolation(e)) throw err.auxiliaryDomainTaken(auxiliaryDomain ?? '');
          throw e;
        }
        return merged;
      });
    },
  };
}
