/**
 * A SAML 2.0 identity provider for the tests: its metadata (entityID, signing certificate, SSO
 * URL) and signed Responses built like a real IdP's, the Assertion signed with xml-crypto (the
 * XML-DSig library node-saml itself verifies with): enveloped, exclusive c14n, RSA-SHA256.
 * Options build the bad ones: unsigned, signed by another key, a second unsigned assertion
 * (signature wrapping), expired, another audience or recipient, a tampered NameID.
 */
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { TestCertificate } from './idp-helpers.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const derOf = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

export interface ResponseOptions {
  readonly nameId: string;
  readonly nameIdFormat?: string;
  /** SubjectConfirmationData/@Recipient. */
  readonly recipient: string;
  readonly audience: string;
  /** Default: now. */
  readonly now?: Date;
  /** Seconds the assertion lives; default 300. */
  readonly lifetime?: number;
  readonly inResponseTo?: string;
  /** AuthnStatement/@SessionNotOnOrAfter; default none. */
  readonly sessionNotOnOrAfter?: Date;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  readonly assertionId?: string;
  readonly issuer?: string;
  /** Default 'assertion'. */
  readonly sign?: 'assertion' | 'none' | 'other-key';
  /** Adds a second, unsigned assertion for someone else after the signed one. */
  readonly wrapWith?: string;
  /** Replaces the NameID after signing. */
  readonly tamperNameId?: string;
}

export interface SamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Base64 of the metadata XML (what SetUserSsoSettings and CreateSAMLProvider take). */
  readonly metadataBase64: string;
  /** Base64 of a Response. */
  response(o: ResponseOptions): string;
}

export function samlIdp(
  cert: TestCertificate,
  otherKey: TestCertificate,
  entityId = `https://idp.example.test/${randomBytes(4).toString('hex')}`,
): SamlIdp {
  const ssoUrl = `${entityId}/sso`;
  const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${derOf(cert.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(ssoUrl)}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(ssoUrl)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

  function assertionXml(o: ResponseOptions, id: string, nameId: string): string {
    const now = o.now ?? new Date();
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const end = new Date(now.getTime() + (o.lifetime ?? 300) * 1000);
    const before = new Date(now.getTime() - 30_000);
    const attrs = Object.entries(o.attributes ?? {})
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${esc(name)}">${values
            .map(
              (v) =>
                `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`,
            )
            .join('')}</saml:Attribute>`,
      )
      .join('');
    return (
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
      `<saml:Issuer>${esc(o.issuer ?? entityId)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="${esc(o.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${esc(nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(end)}" Recipient="${esc(o.recipient)}"${o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : ''}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(before)}" NotOnOrAfter="${iso(end)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${id}"${o.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${iso(o.sessionNotOnOrAfter)}"` : ''}><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
      `</saml:Assertion>`
    );
  }

  return {
    entityId,
    ssoUrl,
    metadataBase64: Buffer.from(metadata).toString('base64'),
    response(o) {
      const id = o.assertionId ?? `_a${randomBytes(16).toString('hex')}`;
      const now = o.now ?? new Date();
      const responseId = `_r${randomBytes(16).toString('hex')}`;
      let assertion = assertionXml(o, id, o.nameId);
      if (o.sign !== 'none') {
        const signer = o.sign === 'other-key' ? otherKey : cert;
        const sig = new SignedXml({
          privateKey: signer.key,
          publicCert: signer.cert,
          signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
          canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
        });
        sig.addReference({
          xpath: "/*[local-name(.)='Assertion']",
          digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
          transforms: [
            'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
            'http://www.w3.org/2001/10/xml-exc-c14n#',
          ],
        });
        sig.computeSignature(assertion, {
          location: { reference: "/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
        });
        assertion = sig.getSignedXml();
      }
      if (o.tamperNameId !== undefined) {
        assertion = assertion.replace(
          `>${esc(o.nameId)}</saml:NameID>`,
          `>${esc(o.tamperNameId)}</saml:NameID>`,
        );
      }
      const wrapped =
        o.wrapWith !== undefined ? assertionXml(o, `_w${randomBytes(8).toString('hex')}`, o.wrapWith) : '';
      const xml =
        `<?xml version="1.0" encoding="UTF-8"?>` +
        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${esc(o.recipient)}"${o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : ''}>` +
        `<saml:Issuer>${esc(o.issuer ?? entityId)}</saml:Issuer>` +
        `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
        assertion +
        wrapped +
        `</samlp:Response>`;
      return Buffer.from(xml).toString('base64');
    },
  };
}
