import { X509Certificate } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { identityProviderArn } from '../arn.js';
import { decodeXmlReferences } from '../text.js';
import { apiError, apiErrorWithStatus, paramError, type ApiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import type { Page, PageRequest } from './index.js';
import type { DomainContext } from './context.js';
import {
  checkFreeText,
  decodeMarker,
  isoSeconds,
  lockAccount,
  nameKey,
  optionalText,
  pageSize,
  toPage,
  uniquely,
} from './common.js';

/**
 * SAML and OIDC identity providers (IMS 2019-08-15): stored and validated records. The
 * federation flows that use them (AssumeRoleWithSAML / WithOIDC, user-based SSO) read them;
 * nothing here signs or verifies an assertion or a token.
 *
 * Rules (reference sso.md 2.2 and 3.1):
 * - provider names: 1..128 letters, digits, `.`, `-`, `_`, not starting or ending with one of
 *   `.`, `-`, `_`; unique per account ignoring case;
 * - a SAML metadata document is base64 of a well-formed SAML 2.0 EntityDescriptor (at most
 *   102,400 bytes) with an IDPSSODescriptor that carries an X.509 signing certificate;
 * - an OIDC IssuerUrl is an https URL without query, fragment or user info, at most 255
 *   characters, unique per account; Fingerprints are SHA-1 hex (40 characters), at most 5;
 *   ClientIds at most 50, each 1..128 of letters, digits, `.`, `-`, `_`, `:`, `/`, not
 *   starting with a special character; IssuanceLimitTime 1..168 hours (default 12);
 * - at most 100 providers of each kind per account.
 */

export interface SamlProvider {
  readonly samlProviderName: string;
  /** `acs:ram::<accountId>:saml-provider/<name>`. */
  readonly arn: string;
  readonly description?: string;
  /** Base64 of the metadata XML, as stored. */
  readonly encodedSAMLMetadataDocument?: string;
  readonly authnSignAlgo?: string;
  readonly createDate: string;
  readonly updateDate: string;
}

export interface OidcProvider {
  readonly oidcProviderName: string;
  /** `acs:ram::<accountId>:oidc-provider/<name>`. */
  readonly arn: string;
  readonly issuerUrl: string;
  readonly description?: string;
  readonly clientIds: readonly string[];
  readonly fingerprints: readonly string[];
  /** Hours. */
  readonly issuanceLimitTime: number;
  /** ISO 8601 UTC, seconds. */
  readonly createDate: string;
  readonly updateDate: string;
  /** Epoch milliseconds, as text. */
  readonly gmtCreate: string;
  readonly gmtModified: string;
}

export interface CreateSamlProviderInput {
  readonly samlProviderName: string;
  readonly description?: string;
  readonly encodedSAMLMetadataDocument?: string;
  readonly authnSignAlgo?: string;
}

export interface UpdateSamlProviderInput {
  readonly newDescription?: string;
  readonly newEncodedSAMLMetadataDocument?: string;
  readonly authnSignAlgo?: string;
}

export interface CreateOidcProviderInput {
  readonly oidcProviderName: string;
  readonly issuerUrl: string;
  readonly description?: string;
  /** Comma-separated. */
  readonly clientIds?: string;
  /** Comma-separated. */
  readonly fingerprints?: string;
  readonly issuanceLimitTime?: number;
}

export interface UpdateOidcProviderInput {
  readonly newDescription?: string;
  /** Comma-separated; replaces the list. */
  readonly clientIds?: string;
  readonly issuanceLimitTime?: number;
}

export interface FederationProvidersDomain {
  /**
   * CreateSAMLProvider. Throws EntityAlreadyExists.SAMLProvider, LimitExceeded.SAMLProvider,
   * InvalidParameter.SAMLProviderName.*, InvalidParameter.EncodedSAMLMetadataDocument,
   * InvalidParameter.Description.Length, InvalidParameter.AuthnSignAlgo.
   */
  createSaml(accountId: string, input: CreateSamlProviderInput): Promise<SamlProvider>;
  /** GetSAMLProvider. Throws EntityNotExist.SAMLProvider. */
  getSaml(accountId: string, name: string): Promise<SamlProvider>;
  /** UpdateSAMLProvider. Throws EntityNotExist.SAMLProvider and the input errors of createSaml. */
  updateSaml(accountId: string, name: string, input: UpdateSamlProviderInput): Promise<SamlProvider>;
  /** DeleteSAMLProvider. Throws EntityNotExist.SAMLProvider. */
  deleteSaml(accountId: string, name: string): Promise<void>;
  /** ListSAMLProviders, by name ignoring case (maxItems 1..1000, default 100). */
  listSaml(accountId: string, page?: PageRequest): Promise<Page<SamlProvider>>;

  /**
   * CreateOIDCProvider. Throws EntityAlreadyExists.OIDCProvider, EntityAlreadyExists.OIDCProvider.IssuerUrl,
   * LimitExceeded.OIDCProvider, LimitExceeded.OIDCProvider.Fingerprint / .ClientId,
   * InvalidParameter.OIDCProviderName.*, InvalidParameter.IssuerUrl, InvalidParameter.Fingerprint,
   * InvalidParameter.ClientId, InvalidParameter.IssuanceLimitTime, InvalidParameter.Description.Length.
   */
  createOidc(accountId: string, input: CreateOidcProviderInput): Promise<OidcProvider>;
  /** GetOIDCProvider. Throws EntityNotExist.OIDCProvider. */
  getOidc(accountId: string, name: string): Promise<OidcProvider>;
  /** UpdateOIDCProvider. Throws EntityNotExist.OIDCProvider and the input errors of createOidc. */
  updateOidc(accountId: string, name: string, input: UpdateOidcProviderInput): Promise<OidcProvider>;
  /** DeleteOIDCProvider. Throws EntityNotExist.OIDCProvider. */
  deleteOidc(accountId: string, name: string): Promise<void>;
  /** ListOIDCProviders, by name ignoring case. */
  listOidc(accountId: string, page?: PageRequest): Promise<Page<OidcProvider>>;
  /** AddClientIdToOIDCProvider. Throws EntityAlreadyExists.OIDCProvider.ClientId, LimitExceeded.OIDCProvider.ClientId. */
  addClientId(accountId: string, name: string, clientId: string): Promise<OidcProvider>;
  /** RemoveClientIdFromOIDCProvider. Throws EntityNotExist.OIDCProvider.ClientId. */
  removeClientId(accountId: string, name: string, clientId: string): Promise<OidcProvider>;
  /** AddFingerprintToOIDCProvider. Throws EntityAlreadyExists.OIDCProvider.Fingerprint, LimitExceeded.OIDCProvider.Fingerprint. */
  addFingerprint(accountId: string, name: string, fingerprint: string): Promise<OidcProvider>;
  /** RemoveFingerprintFromOIDCProvider. Throws EntityNotExist.OIDCProvider.Fingerprint. */
  removeFingerprint(accountId: string, name: string, fingerprint: string): Promise<OidcProvider>;
}

export const PROVIDERS_PER_ACCOUNT = 100;
export const FINGERPRINTS_PER_PROVIDER = 5;
export const CLIENT_IDS_PER_PROVIDER = 50;
const METADATA_MAX_BYTES = 102_400;
const DEFAULT_ISSUANCE_LIMIT_HOURS = 12;

// ---------------------------------------------------------------------------------------------
// Errors (the catalogue lists EntityNotExist.SAMLProvider; the others follow RAM's families:
// EntityNotExist 404, EntityAlreadyExists and LimitExceeded 409, InvalidParameter 400)

const fail = {
  samlNotExist: (name: string): ApiError =>
    apiError('EntityNotExist.SAMLProvider', `The SAML provider does not exist: ${name}.`),
  samlExists: (name: string): ApiError =>
    apiErrorWithStatus('EntityAlreadyExists.SAMLProvider', 409, `The SAML provider already exists: ${name}.`),
  samlLimit: (): ApiError =>
    apiErrorWithStatus(
      'LimitExceeded.SAMLProvider',
      409,
      `The count of SAML providers beyond the current limits: ${PROVIDERS_PER_ACCOUNT}.`,
    ),
  oidcNotExist: (name: string): ApiError =>
    apiErrorWithStatus('EntityNotExist.OIDCProvider', 404, `The OIDC provider does not exist: ${name}.`),
  oidcExists: (name: string): ApiError =>
    apiErrorWithStatus('EntityAlreadyExists.OIDCProvider', 409, `The OIDC provider already exists: ${name}.`),
  issuerExists: (): ApiError =>
    apiErrorWithStatus(
      'EntityAlreadyExists.OIDCProvider.IssuerUrl',
      409,
      'An OIDC provider of the account already has this IssuerUrl.',
    ),
  oidcLimit: (): ApiError =>
    apiErrorWithStatus(
      'LimitExceeded.OIDCProvider',
      409,
      `The count of OIDC providers beyond the current limits: ${PROVIDERS_PER_ACCOUNT}.`,
    ),
  listLimit: (what: 'Fingerprint' | 'ClientId', max: number): ApiError =>
    apiErrorWithStatus(
      `LimitExceeded.OIDCProvider.${what}`,
      409,
      `The count of ${what === 'ClientId' ? 'client ids' : 'fingerprints'} of the OIDC provider beyond the current limits: ${max}.`,
    ),
  listItemExists: (what: 'Fingerprint' | 'ClientId', value: string): ApiError =>
    apiErrorWithStatus(
      `EntityAlreadyExists.OIDCProvider.${what}`,
      409,
      `The OIDC provider already has the ${what === 'ClientId' ? 'client id' : 'fingerprint'}: ${value}.`,
    ),
  listItemNotExist: (what: 'Fingerprint' | 'ClientId', value: string): ApiError =>
    apiErrorWithStatus(
      `EntityNotExist.OIDCProvider.${what}`,
      404,
      `The OIDC provider has no such ${what === 'ClientId' ? 'client id' : 'fingerprint'}: ${value}.`,
    ),
};

const bad = (param: string, rule: string): ApiError =>
  paramError(`InvalidParameter.${param}`, `The parameter - "${param}" ${rule}`);

// ---------------------------------------------------------------------------------------------
// Input rules

const PROVIDER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** SAMLProviderName / OIDCProviderName: InvalidParameter.<param>.Length / .InvalidChars. */
export function checkProviderName(name: string, param: string): void {
  if (name.length < 1 || name.length > 128) {
    throw paramError(
      `InvalidParameter.${param}.Length`,
      `The parameter - "${param}" beyond the length limit.`,
    );
  }
  if (!PROVIDER_NAME.test(name)) {
    throw paramError(
      `InvalidParameter.${param}.InvalidChars`,
      `The parameter - "${param}" contains invalid chars.`,
    );
  }
}

function checkDescription(text: string | undefined, param: string, max: number): void {
  if (text === undefined) return;
  if ([...text].length > max) {
    throw paramError(
      `InvalidParameter.${param}.Length`,
      `The parameter - "${param}" beyond the length limit.`,
    );
  }
  checkFreeText(text, param);
}

const AUTHN_SIGN_ALGOS = ['rsa-sha256', 'rsa-sha1'];

export function checkAuthnSignAlgo(value: string | undefined): void {
  if (value !== undefined && !AUTHN_SIGN_ALGOS.includes(value)) {
    throw bad('AuthnSignAlgo', 'MUST be rsa-sha256 or rsa-sha1.');
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  isArray: (name) =>
    ['IDPSSODescriptor', 'KeyDescriptor', 'X509Certificate', 'X509Data', 'KeyInfo'].includes(name),
});

type Node = Record<string, unknown>;
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as Node[];

const textOf = (v: unknown): string =>
  decodeXmlReferences(
    typeof v === 'string' ? v : typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : '',
  );
const attrOf = (n: Node | undefined, name: string): string | undefined => {
  const v = n?.[`@${name}`];
  return typeof v === 'string' ? decodeXmlReferences(v) : undefined;
};

/**
 * Checks that `encoded` is base64 of a SAML 2.0 metadata document: one EntityDescriptor with
 * an entityID, an IDPSSODescriptor and at least one X.509 certificate usable for signing (a
 * KeyDescriptor without `use`, or with use="signing"). Returns the IdP's entityID. Throws
 * InvalidParameter.<param> with the reason.
 */
export function checkSamlMetadata(
  encoded: string,
  param: string,
): { entityId: string; signingCertificates: string[]; ssoRedirectUrl?: string } {
  const compact = encoded.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw bad(param, 'MUST be the base64 encoding of a SAML metadata document.');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > METADATA_MAX_BYTES) {
    throw bad(param, `MUST NOT be longer than ${METADATA_MAX_BYTES} bytes once decoded.`);
  }
  const text = bytes.toString('utf8');
  if (/<!DOCTYPE/i.test(text)) throw bad(param, 'MUST NOT contain a document type declaration.');
  if (XMLValidator.validate(text) !== true) throw bad(param, 'is not well-formed XML.');
  let doc: Node;
  try {
    doc = xml.parse(text) as Node;
  } catch {
    throw bad(param, 'is not well-formed XML.');
  }
  const entity = doc.EntityDescriptor as Node | undefined;
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) {
    throw bad(param, 'MUST have an EntityDescriptor as its root element.');
  }
  const entityId = attrOf(entity, 'entityID');
  if (entityId === undefined || entityId.trim() === '') {
    throw bad(param, 'MUST give the EntityDescriptor an entityID.');
  }
  const idps = nodes(entity.IDPSSODescriptor);
  if (idps.length === 0) throw bad(param, 'MUST describe an identity provider (IDPSSODescriptor).');
  const signingCertificates: string[] = [];
  for (const idp of idps) {
    for (const kd of nodes(idp.KeyDescriptor)) {
      const use = attrOf(kd, 'use');
      if (use !== undefined && use !== 'signing') continue;
      for (const ki of nodes(kd.KeyInfo)) {
        for (const data of nodes(ki.X509Data)) {
          for (const cert of nodes(data.X509Certificate)) {
            const der = textOf(cert).replace(/\s+/g, '');
            try {
              signingCertificates.push(new X509Certificate(Buffer.from(der, 'base64')).toString());
            } catch {
              throw bad(param, 'holds a signing certificate that is not a valid X.509 certificate.');
            }
          }
        }
      }
    }
  }
  if (signingCertificates.length === 0)
    throw bad(param, 'MUST hold an X.509 signing certificate of the identity provider.');
  // Where SP-initiated logon sends the browser (HTTP-Redirect binding), when the IdP has one
  // that is a URL.
  const redirect = idps
    .flatMap((idp) => nodes(idp.SingleSignOnService))
    .find((sso) => attrOf(sso, 'Binding') === 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect');
  const location = attrOf(redirect, 'Location');
  const ssoRedirectUrl =
    location !== undefined && /^https?:\/\//i.test(location) && URL.canParse(location) ? location : undefined;
  return { entityId, signingCertificates, ...(ssoRedirectUrl ? { ssoRedirectUrl } : {}) };
}

/** C0 control characters, space, DEL and any other white space. */
// eslint-disable-next-line no-control-regex
const NOT_IN_URL = /[\u0000-\u0020\u007f\s]/;

/**
 * The IssuerUrl rule; returns the key that makes it unique (scheme and host lower-cased). The
 * URL is stored as written, so it must be written as a URL: no control character and no white
 * space (the URL parser drops tab and line feed and percent-encodes the rest, so such a value
 * would read as another issuer, or keep a NUL no store can hold).
 */
export function checkIssuerUrl(raw: string): string {
  if (raw.length > 255) throw bad('IssuerUrl', 'MUST NOT be longer than 255 characters.');
  if (NOT_IN_URL.test(raw)) {
    throw bad('IssuerUrl', 'MUST NOT contain control characters or white space.');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('IssuerUrl', 'is not a valid URL.');
  }
  if (url.protocol !== 'https:' || !/^https:\/\//i.test(raw))
    throw bad('IssuerUrl', 'MUST start with https://.');
  if (raw.includes('?') || raw.includes('#'))
    throw bad('IssuerUrl', 'MUST NOT contain a query or a fragment.');
  if (url.username !== '' || url.password !== '' || raw.includes('@')) {
    throw bad('IssuerUrl', 'MUST NOT contain user information.');
  }
  if (url.hostname === '') throw bad('IssuerUrl', 'MUST name a host.');
  return `https://${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
}

const FINGERPRINT = /^[0-9A-Fa-f]{40}$/;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9.\-_:/]{0,127}$/;

export function checkFingerprint(value: string, param = 'Fingerprint'): string {
  if (!FINGERPRINT.test(value)) throw bad(param, 'MUST be the 40 hexadecimal digits of a SHA-1 fingerprint.');
  return value.toLowerCase();
}

export function checkClientId(value: string, param = 'ClientId'): string {
  if (!CLIENT_ID.test(value)) {
    throw bad(
      param,
      'MUST be 1 to 128 letters, digits, ".", "-", "_", ":" or "/", not starting with a special character.',
    );
  }
  return value;
}

/** A comma-separated list: items trimmed, empty ones dropped, each checked, no repeats. */
function splitList(
  raw: string | undefined,
  check: (v: string, p: string) => string,
  param: string,
): string[] {
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const item of raw.split(',')) {
    const v = item.trim();
    if (v === '') continue;
    const value = check(v, param);
    if (out.includes(value)) throw bad(param, `holds ${value} twice.`);
    out.push(value);
  }
  return out;
}

function checkIssuanceLimit(hours: number | undefined): void {
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1 || hours > 168)) {
    throw bad('IssuanceLimitTime', 'MUST be in the range of 1 and 168.');
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

type ProviderTable = 'saml_providers' | 'oidc_providers';

type SamlRow = {
  provider_name: string;
  name_key: string;
  description: string | null;
  metadata: string | null;
  authn_sign_algo: string | null;
  create_date: string;
  update_date: string;
};

type OidcRow = {
  provider_name: string;
  name_key: string;
  issuer_url: string;
  description: string | null;
  client_ids: string;
  fingerprints: string;
  issuance_limit_time: number;
  create_date: string;
  update_date: string;
};

const samlFromRow = (accountId: string, r: SamlRow): SamlProvider => ({
  samlProviderName: r.provider_name,
  arn: identityProviderArn(accountId, 'saml', r.provider_name),
  description: optionalText(r.description),
  encodedSAMLMetadataDocument: optionalText(r.metadata),
  authnSignAlgo: optionalText(r.authn_sign_algo),
  createDate: r.create_date,
  updateDate: r.update_date,
});

const list = (text: string): string[] => (text === '' ? [] : text.split(','));

const oidcFromRow = (accountId: string, r: OidcRow): OidcProvider => ({
  oidcProviderName: r.provider_name,
  arn: identityProviderArn(accountId, 'oidc', r.provider_name),
  issuerUrl: r.issuer_url,
  description: optionalText(r.description),
  clientIds: list(r.client_ids),
  fingerprints: list(r.fingerprints),
  issuanceLimitTime: r.issuance_limit_time,
  createDate: isoSeconds(new Date(r.create_date)),
  updateDate: isoSeconds(new Date(r.update_date)),
  gmtCreate: String(Date.parse(r.create_date)),
  gmtModified: String(Date.parse(r.update_date)),
});

export function createFederationProviders(ctx: DomainContext): FederationProvidersDomain {
  const { store } = ctx;

  /** A provider of the account by name, case ignored; else EntityNotExist of its kind. */
  function providerRow(tx: Tx, table: 'saml_providers', accountId: string, name: string): Promise<SamlRow>;
  function providerRow(tx: Tx, table: 'oidc_providers', accountId: string, name: string): Promise<OidcRow>;
  function providerRow(
    tx: Tx,
    table: ProviderTable,
    accountId: string,
    name: string,
  ): Promise<SamlRow | OidcRow>;
  async function providerRow(
    tx: Tx,
    table: ProviderTable,
    accountId: string,
    name: string,
  ): Promise<SamlRow | OidcRow> {
    const row = await tx
      .selectFrom(table)
      .selectAll()
      .where('account_id', '=', accountId)
      .where('name_key', '=', nameKey(name))
      .executeTakeFirst();
    if (!row) throw table === 'saml_providers' ? fail.samlNotExist(name) : fail.oidcNotExist(name);
    return row;
  }

  async function deleteProvider(table: ProviderTable, accountId: string, name: string): Promise<void> {
    await store.transaction(async (tx) => {
      // Serialized with every other write of the account: of two deletes at once, the second
      // finds no provider.
      await lockAccount(ctx, tx, accountId);
      const row = await providerRow(tx, table, accountId, name);
      await tx
        .deleteFrom(table)
        .where('account_id', '=', accountId)
        .where('name_key', '=', row.name_key)
        .execute();
    });
  }

  /** The providers of one kind of an account, a page at a time in name order. */
  function listProviders<V>(
    table: 'saml_providers',
    accountId: string,
    page: PageRequest | undefined,
    view: (r: SamlRow) => V,
  ): Promise<Page<V>>;
  function listProviders<V>(
    table: 'oidc_providers',
    accountId: string,
    page: PageRequest | undefined,
    view: (r: OidcRow) => V,
  ): Promise<Page<V>>;
  async function listProviders<V>(
    table: ProviderTable,
    accountId: string,
    page: PageRequest | undefined,
    view: (r: SamlRow & OidcRow) => V,
  ): Promise<Page<V>> {
    const limit = pageSize(page, 1000);
    const after = decodeMarker(page?.marker);
    let q = store.db.selectFrom(table).selectAll().where('account_id', '=', accountId);
    if (after !== undefined) q = q.where('name_key', '>', after);
    const rows = await q
      .orderBy('name_key')
      .limit(limit + 1)
      .execute();
    return toPage(rows, limit, (r) => r.name_key, view);
  }

  async function count(tx: Tx, table: ProviderTable, accountId: string) {
    const row = await tx
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Changes one OIDC provider in a transaction, then returns it. */
  async function changeOidc(
    accountId: string,
    name: string,
    change: (
      row: OidcRow,
    ) => Partial<Pick<OidcRow, 'description' | 'client_ids' | 'fingerprints' | 'issuance_limit_time'>>,
  ): Promise<OidcProvider> {
    return store.transaction(async (tx) => {
      await lockAccount(ctx, tx, accountId);
      const row = await providerRow(tx, 'oidc_providers', accountId, name);
      const set = { ...change(row), update_date: ctx.clock().toISOString() };
      await tx
        .updateTable('oidc_providers')
        .set(set)
        .where('account_id', '=', accountId)
        .where('name_key', '=', row.name_key)
        .execute();
      return oidcFromRow(accountId, { ...row, ...set });
    });
  }

  return {
    async createSaml(accountId, input) {
      checkProviderName(input.samlProviderName, 'SAMLProviderName');
      checkDescription(input.description, 'Description', 256);
      if (input.encodedSAMLMetadataDocument !== undefined) {
        checkSamlMetadata(input.encodedSAMLMetadataDocument, 'EncodedSAMLMetadataDocument');
      }
      checkAuthnSignAlgo(input.authnSignAlgo);
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        if ((await count(tx, 'saml_providers', accountId)) >= PROVIDERS_PER_ACCOUNT) throw fail.samlLimit();
        const now = isoSeconds(ctx.clock());
        const row: SamlRow = {
          provider_name: input.samlProviderName,
          name_key: nameKey(input.samlProviderName),
          description: input.description ?? null,
          metadata: input.encodedSAMLMetadataDocument?.replace(/\s+/g, '') ?? null,
          authn_sign_algo: input.authnSignAlgo ?? null,
          create_date: now,
          update_date: now,
        };
        await uniquely(
          () =>
            tx
              .insertInto('saml_providers')
              .values({ account_id: accountId, ...row })
              .execute(),
          () => fail.samlExists(input.samlProviderName),
        );
        return samlFromRow(accountId, row);
      });
    },

    getSaml: async (accountId, name) =>
      samlFromRow(accountId, await providerRow(store.db, 'saml_providers', accountId, name)),

    async updateSaml(accountId, name, input) {
      checkDescription(input.newDescription, 'NewDescription', 256);
      if (input.newEncodedSAMLMetadataDocument !== undefined) {
        checkSamlMetadata(input.newEncodedSAMLMetadataDocument, 'NewEncodedSAMLMetadataDocument');
      }
      checkAuthnSignAlgo(input.authnSignAlgo);
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        const row = await providerRow(tx, 'saml_providers', accountId, name);
        const set = {
          ...(input.newDescription !== undefined ? { description: input.newDescription || null } : {}),
          ...(input.newEncodedSAMLMetadataDocument !== undefined
            ? { metadata: input.newEncodedSAMLMetadataDocument.replace(/\s+/g, '') }
            : {}),
          ...(input.authnSignAlgo !== undefined ? { authn_sign_algo: input.authnSignAlgo } : {}),
          update_date: isoSeconds(ctx.clock()),
        };
        await tx
          .updateTable('saml_providers')
          .set(set)
          .where('account_id', '=', accountId)
          .where('name_key', '=', row.name_key)
          .execute();
        return samlFromRow(accountId, { ...row, ...set });
      });
    },

    deleteSaml: (accountId, name) => deleteProvider('saml_providers', accountId, name),

    listSaml: (accountId, page) =>
      listProviders('saml_providers', accountId, page, (r) => samlFromRow(accountId, r)),

    async createOidc(accountId, input) {
      checkProviderName(input.oidcProviderName, 'OIDCProviderName');
      const issuerKey = checkIssuerUrl(input.issuerUrl);
      checkDescription(input.description, 'Description', 256);
      const fingerprints = splitList(input.fingerprints, checkFingerprint, 'Fingerprints');
      if (fingerprints.length > FINGERPRINTS_PER_PROVIDER)
        throw fail.listLimit('Fingerprint', FINGERPRINTS_PER_PROVIDER);
      const clientIds = splitList(input.clientIds, checkClientId, 'ClientIds');
      if (clientIds.length > CLIENT_IDS_PER_PROVIDER)
        throw fail.listLimit('ClientId', CLIENT_IDS_PER_PROVIDER);
      checkIssuanceLimit(input.issuanceLimitTime);
      return store.transaction(async (tx) => {
        await lockAccount(ctx, tx, accountId);
        if ((await count(tx, 'oidc_providers', accountId)) >= PROVIDERS_PER_ACCOUNT) throw fail.oidcLimit();
        const existing = await tx
          .selectFrom('oidc_providers')
          .select(['name_key', 'issuer_key'])
          .where('account_id', '=', accountId)
          .where((eb) =>
            eb.or([eb('name_key', '=', nameKey(input.oidcProviderName)), eb('issuer_key', '=', issuerKey)]),
          )
          .execute();
        if (existing.some((r) => r.name_key === nameKey(input.oidcProviderName))) {
          throw fail.oidcExists(input.oidcProviderName);
        }
        if (existing.length > 0) throw fail.issuerExists();
        const now = ctx.clock().toISOString();
        const row: OidcRow = {
          provider_name: input.oidcProviderName,
          name_key: nameKey(input.oidcProviderName),
          issuer_url: input.issuerUrl,
          description: input.description ?? null,
          client_ids: clientIds.join(','),
          fingerprints: fingerprints.join(','),
          issuance_limit_time: input.issuanceLimitTime ?? DEFAULT_ISSUANCE_LIMIT_HOURS,
          create_date: now,
          update_date: now,
        };
        await uniquely(
          () =>
            tx
              .insertInto('oidc_providers')
              .values({ account_id: accountId, issuer_key: issuerKey, ...row })
              .execute(),
          () => fail.oidcExists(input.oidcProviderName),
        );
        return oidcFromRow(accountId, row);
      });
    },

    getOidc: async (accountId, name) =>
      oidcFromRow(accountId, await providerRow(store.db, 'oidc_providers', accountId, name)),

    async updateOidc(accountId, name, input) {
      checkDescription(input.newDescription, 'NewDescription', 256);
      const clientIds =
        input.clientIds !== undefined ? splitList(input.clientIds, checkClientId, 'ClientIds') : undefined;
      if (clientIds && clientIds.length > CLIENT_IDS_PER_PROVIDER) {
        throw fail.listLimit('ClientId', CLIENT_IDS_PER_PROVIDER);
      }
      checkIssuanceLimit(input.issuanceLimitTime);
      return changeOidc(accountId, name, () => ({
        ...(input.newDescription !== undefined ? { description: input.newDescription || null } : {}),
        ...(clientIds !== undefined ? { client_ids: clientIds.join(',') } : {}),
        ...(input.issuanceLimitTime !== undefined ? { issuance_limit_time: input.issuanceLimitTime } : {}),
      }));
    },

    deleteOidc: (accountId, name) => deleteProvider('oidc_providers', accountId, name),

    listOidc: (accountId, page) =>
      listProviders('oidc_providers', accountId, page, (r) => oidcFromRow(accountId, r)),

    addClientId(accountId, name, clientId) {
      const value = checkClientId(clientId);
      return changeOidc(accountId, name, (row) => {
        const ids = list(row.client_ids);
        if (ids.includes(value)) throw fail.listItemExists('ClientId', value);
        if (ids.length >= CLIENT_IDS_PER_PROVIDER) throw fail.listLimit('ClientId', CLIENT_IDS_PER_PROVIDER);
        return { client_ids: [...ids, value].join(',') };
      });
    },

    removeClientId(accountId, name, clientId) {
      const value = checkClientId(clientId);
      return changeOidc(accountId, name, (row) => {
        const ids = list(row.client_ids);
        if (!ids.includes(value)) throw fail.listItemNotExist('ClientId', value);
        return { client_ids: ids.filter((v) => v !== value).join(',') };
      });
    },

    addFingerprint(accountId, name, fingerprint) {
      const value = checkFingerprint(fingerprint);
      return changeOidc(accountId, name, (row) => {
        const fps = list(row.fingerprints);
        if (fps.includes(value)) throw fail.listItemExists('Fingerprint', value);
        if (fps.length >= FINGERPRINTS_PER_PROVIDER)
          throw fail.listLimit('Fingerprint', FINGERPRINTS_PER_PROVIDER);
        return { fingerprints: [...fps, value].join(',') };
      });
    },

    removeFingerprint(accountId, name, fingerprint) {
      const value = checkFingerprint(fingerprint);
      return changeOidc(accountId, name, (row) => {
        const fps = list(row.fingerprints);
        if (!fps.includes(value)) throw fail.listItemNotExist('Fingerprint', value);
        return { fingerprints: fps.filter((v) => v !== value).join(',') };
      });
    },
  };
}
