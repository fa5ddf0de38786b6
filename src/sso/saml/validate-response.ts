import { XMLParser } from 'fast-xml-parser';
import { decodeXmlReferences } from '../../text.js';

/**
 * Validation of a SAML 2.0 Response (HTTP-POST binding, base64) from an identity provider, as
 * both SSO forms and AssumeRoleWithSAML need it:
 *
 * - the Assertion is signed with a certificate of the IdP's metadata (node-saml checks the
 *   XML signature and that the Response holds exactly one Assertion, the signed one: a second,
 *   unsigned assertion or a moved one is refused); everything below is read from the signed
 *   Assertion only;
 * - its Issuer is the IdP's entityID; the Response's Status, when given, is Success;
 * - exactly one bearer SubjectConfirmation whose Recipient is the ACS URL and whose
 *   NotOnOrAfter is in the future; Conditions NotBefore / NotOnOrAfter hold; the Audience is
 *   the SP entity ID (each time compared with a small skew, on Rampart's clock);
 * - InResponseTo of the SubjectConfirmationData is returned for the caller to match with the
 *   AuthnRequests it sent (SP-initiated) or to find absent (IdP-initiated);
 * - a NameID.
 *
 * Replays (an assertion ID seen before) are the caller's to refuse: the ID and the time until
 * which the assertion could be used are returned.
 */

export interface SamlExpectations {
  readonly idpEntityId: string;
  /** PEM certificates of the IdP (its metadata's signing certificates). */
  readonly idpCertificates: readonly string[];
  /** The SP entity ID the Audience must name. */
  readonly audience: string;
  /**
   * The ACS URL the Recipient must name. Undefined: any (AssumeRoleWithSAML, where the role's
   * trust policy decides with saml:recipient).
   */
  readonly recipient?: string;
  readonly now: Date;
  /** Accepted clock difference with the IdP; default 2 minutes. */
  readonly skewMs?: number;
}

export interface ValidatedAssertion {
  readonly assertionId: string;
  readonly issuer: string;
  readonly nameId: string;
  /** The NameID Format, when given. */
  readonly nameIdFormat?: string;
  readonly recipient: string;
  /** The earliest NotOnOrAfter of the subject confirmation and the conditions. */
  readonly notOnOrAfter: Date;
  /**
   * The end of the assertion's use here: NotOnOrAfter plus the clock skew allowed. Its ID must
   * be kept (against replay) at least until then.
   */
  readonly acceptedUntil: Date;
  /** AuthnStatement/@SessionNotOnOrAfter, when given. */
  readonly sessionNotOnOrAfter?: Date;
  /** Attribute name -> values (text). */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /**
   * SubjectConfirmationData/@InResponseTo: the AuthnRequest answered (SP-initiated logon);
   * absent for IdP-initiated logon. The caller checks it against the requests it sent.
   */
  readonly inResponseTo?: string;
}

export type SamlRefusal = 'invalid' | 'expired';

export class SamlValidationError extends Error {
  constructor(
    readonly refusal: SamlRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'SamlValidationError';
  }
}

const invalid = (m: string) => new SamlValidationError('invalid', m);

/** A SAMLResponse longer than this (base64 characters) is refused before decoding. */
export const MAX_SAML_RESPONSE_LENGTH = 200_000;
const DEFAULT_SKEW_MS = 2 * 60 * 1000;
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) =>
    [
      'Assertion',
      'Subject',
      'NameID',
      'SubjectConfirmation',
      'SubjectConfirmationData',
      'Conditions',
      'AudienceRestriction',
      'Audience',
      'AuthnStatement',
      'AttributeStatement',
      'Attribute',
      'AttributeValue',
      'Issuer',
      'Status',
      'StatusCode',
    ].includes(name),
});

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v === undefined ? [] : [v as Node]);

/*
 * Text and attribute values have their references decoded once: the signed assertion is its
 * canonical form, which writes `&` as `&amp;`, `<` as `&lt;` and line ends as `&#xD;`, and the
 * parser leaves references as written (it must not expand entities; a DTD is refused anyway).
 */
const text = (v: unknown): string =>
  decodeXmlReferences(
    typeof v === 'string' ? v : typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : '',
  );
const attr = (n: Node | undefined, name: string): string | undefined => {
  const v = n?.[`@${name}`];
  return typeof v === 'string' ? decodeXmlReferences(v) : undefined;
};

function time(value: string | undefined, what: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) || Number.isNaN(t)) {
    throw invalid(`${what} is not a UTC time.`);
  }
  return new Date(t);
}

/** The XML of a base64 SAMLResponse, refused when it is not base64 or carries a DTD. */
export function decodeSamlResponse(encoded: string): string {
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length > MAX_SAML_RESPONSE_LENGTH) {
    throw invalid('The SAML response is empty or too long.');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalid('The SAML response is not base64.');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw invalid('The SAML response carries a document type declaration.');
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<([A-Za-z0-9_-]+:)?Response[\s>]/.test(xml)) {
    throw invalid('The SAML response is not a SAML 2.0 Response.');
  }
  return xml;
}

export async function validateSamlResponse(
  encoded: string,
  expect: SamlExpectations,
): Promise<ValidatedAssertion> {
  const xml = decodeSamlResponse(encoded);
  const now = expect.now.getTime();
  const skew = expect.skewMs ?? DEFAULT_SKEW_MS;

  // The unsigned envelope: only its Status is read from it.
  let response: Node;
  try {
    response = list((parser.parse(xml) as Node).Response)[0] ?? {};
  } catch {
    throw invalid('The SAML response is not well-formed XML.');
  }
  const status = list(list(response.Status)[0]?.StatusCode)[0];
  if (status && attr(status, 'Value') !== SUCCESS)
    throw invalid('The identity provider did not answer Success.');

  // Loaded on first use: most processes (the CLI, a node without SAML providers) never need it.
  const { SAML, ValidateInResponseTo } = await import('@node-saml/node-saml');
  const saml = new SAML({
    idpCert: [...expect.idpCertificates],
    issuer: expect.audience,
    callbackUrl: expect.recipient ?? expect.audience,
    audience: false,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // Times are checked below on Rampart's clock.
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  let assertionXml: string;
  try {
    const { profile } = await saml.validatePostResponseAsync({
      SAMLResponse: Buffer.from(xml).toString('base64'),
    });
    const signed = profile?.getAssertionXml?.();
    if (!signed) throw new Error('no assertion');
    assertionXml = signed;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unreadable';
    throw invalid(`The SAML assertion is not signed by the identity provider or is malformed (${reason}).`);
  }

  let assertion: Node;
  try {
    assertion = list((parser.parse(assertionXml) as Node).Assertion)[0] ?? {};
  } catch {
    throw invalid('The signed SAML assertion is not well-formed XML.');
  }
  const assertionId = attr(assertion, 'ID');
  if (!assertionId) throw invalid('The SAML assertion has no ID.');
  const issuer = text(list(assertion.Issuer)[0]);
  if (issuer !== expect.idpEntityId)
    throw invalid('The issuer of the SAML assertion is not the identity provider.');

  const subjects = list(assertion.Subject);
  if (subjects.length !== 1) throw invalid('The SAML assertion must have one Subject.');
  const nameIds = list(subjects[0]!.NameID);
  if (nameIds.length !== 1 || text(nameIds[0]) === '')
    throw invalid('The SAML assertion must have one NameID.');
  const confirmations = list(subjects[0]!.SubjectConfirmation);
  if (confirmations.length !== 1 || attr(confirmations[0], 'Method') !== BEARER) {
    throw invalid('The SAML assertion must have one bearer SubjectConfirmation.');
  }
  const data = list(confirmations[0]!.SubjectConfirmationData)[0];
  const recipient = attr(data, 'Recipient');
  if (recipient === undefined || (expect.recipient !== undefined && recipient !== expect.recipient)) {
    throw invalid('The Recipient of the SAML assertion is not this service.');
  }
  const subjectNotOnOrAfter = time(attr(data, 'NotOnOrAfter'), 'SubjectConfirmationData/@NotOnOrAfter');
  if (!subjectNotOnOrAfter) throw invalid('The SubjectConfirmationData has no NotOnOrAfter.');
  const subjectNotBefore = time(attr(data, 'NotBefore'), 'SubjectConfirmationData/@NotBefore');
  const inResponseTo = attr(data, 'InResponseTo');

  const conditions = list(assertion.Conditions);
  if (conditions.length !== 1) throw invalid('The SAML assertion must have one Conditions element.');
  const notBefore = time(attr(conditions[0], 'NotBefore'), 'Conditions/@NotBefore');
  const conditionsNotOnOrAfter = time(attr(conditions[0], 'NotOnOrAfter'), 'Conditions/@NotOnOrAfter');
  const restrictions = list(conditions[0]!.AudienceRestriction);
  if (
    restrictions.length === 0 ||
    !restrictions.every((r) => list(r.Audience).some((a) => text(a) === expect.audience))
  ) {
    throw invalid('The Audience of the SAML assertion is not this service.');
  }

  for (const nb of [notBefore, subjectNotBefore]) {
    if (nb && now + skew < nb.getTime()) throw invalid('The SAML assertion is not valid yet (NotBefore).');
  }
  const ends = [subjectNotOnOrAfter, conditionsNotOnOrAfter].filter((d): d is Date => d !== undefined);
  const notOnOrAfter = new Date(Math.min(...ends.map((d) => d.getTime())));
  if (now - skew >= notOnOrAfter.getTime()) {
    throw new SamlValidationError('expired', 'The SAML assertion has expired (NotOnOrAfter).');
  }

  const authn = list(assertion.AuthnStatement);
  if (authn.length === 0) throw invalid('The SAML assertion has no AuthnStatement.');
  const sessionNotOnOrAfter = time(
    attr(authn[0], 'SessionNotOnOrAfter'),
    'AuthnStatement/@SessionNotOnOrAfter',
  );

  const attributes: Record<string, string[]> = {};
  for (const statement of list(assertion.AttributeStatement)) {
    for (const a of list(statement.Attribute)) {
      const name = attr(a, 'Name');
      if (!name) continue;
      (attributes[name] ??= []).push(...list(a.AttributeValue).map((v) => text(v)));
    }
  }
  const format = attr(nameIds[0], 'Format');
  return {
    assertionId,
    issuer,
    nameId: text(nameIds[0]),
    ...(format !== undefined ? { nameIdFormat: format } : {}),
    recipient,
    notOnOrAfter,
    acceptedUntil: new Date(notOnOrAfter.getTime() + skew),
    ...(sessionNotOnOrAfter ? { sessionNotOnOrAfter } : {}),
    attributes,
    ...(inResponseTo !== undefined ? { inResponseTo } : {}),
  };
}

/**
 * What an unverified Response says about where it belongs: the Issuer, the Audiences and the
 * values of one attribute of its assertion(s). Only for routing it to the account or provider
 * whose keys then verify it; nothing read here is trusted.
 */
export function peekSamlResponse(
  encoded: string,
  attributeName?: string,
): { issuer?: string; audiences: string[]; attributeValues: string[] } {
  const xml = decodeSamlResponse(encoded);
  let response: Node;
  try {
    response = list((parser.parse(xml) as Node).Response)[0] ?? {};
  } catch {
    throw invalid('The SAML response is not well-formed XML.');
  }
  const audiences: string[] = [];
  const attributeValues: string[] = [];
  let issuer: string | undefined;
  for (const a of list(response.Assertion)) {
    issuer ??= text(list(a.Issuer)[0]) || undefined;
    for (const c of list(a.Conditions)) {
      for (const r of list(c.AudienceRestriction)) audiences.push(...list(r.Audience).map((x) => text(x)));
    }
    if (attributeName === undefined) continue;
    for (const st of list(a.AttributeStatement)) {
      for (const at of list(st.Attribute)) {
        if (attr(at, 'Name') === attributeName)
          attributeValues.push(...list(at.AttributeValue).map((v) => text(v)));
      }
    }
  }
  return { ...(issuer !== undefined ? { issuer } : {}), audiences, attributeValues };
}
