import { deflateRawSync } from 'node:zlib';
import { ROLE_SSO_ENTITY_ID } from './index.js';

/**
 * What Rampart publishes as a SAML service provider, and the AuthnRequest of SP-initiated
 * logon. URLs derive from the deployment's public base URL (`https://rampart.example.com`):
 *
 * - user-based SSO, per account: entity ID `<base>/<account id>/saml/SSO`, ACS `<base>/saml/SSO`,
 *   metadata at `<base>/saml/SpMetadata.xml?tenantID=<account id>`;
 * - role-based SSO, one per deployment: entity ID `urn:rampart:cloudcomputing`, ACS
 *   `<base>/saml-role/sso`, metadata at `<base>/saml-role/sp-metadata.xml`.
 */

export const USER_ACS_PATH = '/saml/SSO';
export const USER_METADATA_PATH = '/saml/SpMetadata.xml';
export const ROLE_ACS_PATH = '/saml-role/sso';
export const ROLE_METADATA_PATH = '/saml-role/sp-metadata.xml';
export const ROLE_SELECT_PATH = '/saml-role/select';

export const userEntityId = (base: string, accountId: string): string => `${base}/${accountId}/saml/SSO`;

/** The account of a user-SSO entity ID of this deployment, or undefined. */
export function accountOfUserEntityId(base: string, entityId: string): string | undefined {
  const prefix = `${base}/`;
  if (!entityId.startsWith(prefix)) return undefined;
  const m = /^(\d{16})\/saml\/SSO$/.exec(entityId.slice(prefix.length));
  return m?.[1];
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const NAME_ID_FORMATS = [
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
];

function metadata(entityId: string, acs: string, extra = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(entityId)}">\n` +
    `  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\n` +
    NAME_ID_FORMATS.map((f) => `    <md:NameIDFormat>${f}</md:NameIDFormat>\n`).join('') +
    `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(acs)}" index="0" isDefault="true"/>\n` +
    extra +
    `  </md:SPSSODescriptor>\n` +
    `</md:EntityDescriptor>\n`
  );
}

export function userSpMetadata(base: string, accountId: string): string {
  return metadata(userEntityId(base, accountId), `${base}${USER_ACS_PATH}`);
}

export function roleSpMetadata(base: string): string {
  const attr = (name: string, friendly: string, required: boolean) =>
    `      <md:RequestedAttribute Name="https://www.aliyun.com/SAML-Role/Attributes/${name}" FriendlyName="${friendly}" isRequired="${required}"/>\n`;
  return metadata(
    ROLE_SSO_ENTITY_ID,
    `${base}${ROLE_ACS_PATH}`,
    `    <md:AttributeConsumingService index="1">\n` +
      `      <md:ServiceName xml:lang="en">Rampart Console Single Sign-On</md:ServiceName>\n` +
      attr('Role', 'RoleEntitlement', true) +
      attr('RoleSessionName', 'RoleSessionName', true) +
      attr('SessionDuration', 'SessionDuration', false) +
      `    </md:AttributeConsumingService>\n`,
  );
}

/** The URL that sends the browser to the IdP with an AuthnRequest (HTTP-Redirect binding). */
export function authnRequestUrl(input: {
  readonly idpSsoUrl: string;
  readonly requestId: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly now: Date;
  readonly relayState?: string;
}): string {
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"` +
    ` ID="${esc(input.requestId)}" Version="2.0" IssueInstant="${input.now.toISOString().replace(/\.\d{3}Z$/, 'Z')}"` +
    ` Destination="${esc(input.idpSsoUrl)}" AssertionConsumerServiceURL="${esc(input.acsUrl)}"` +
    ` ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
    `<saml:Issuer>${esc(input.spEntityId)}</saml:Issuer>` +
    `</samlp:AuthnRequest>`;
  const url = new URL(input.idpSsoUrl);
  url.searchParams.set('SAMLRequest', deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'));
  if (input.relayState !== undefined) url.searchParams.set('RelayState', input.relayState);
  return url.toString();
}
