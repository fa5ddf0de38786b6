/**
 * What IMS's own entities are authorized against: SAML and OIDC identity providers, named by
 * the caller and resolved to their stored names by the authorize step
 * (`acs:ram:*:<accountId>:saml-provider/<name>`, `...:oidc-provider/<name>`; all of one kind
 * for the list operations). Users, groups, devices and account settings are RAM's resources.
 */
import { ramCollectionArn } from '../../arn.js';
import type { EntityRef } from '../action.js';

export const imsResource = {
  samlProvider: (accountId: string, name: string): EntityRef => ({
    kind: 'entity',
    accountId,
    type: 'saml-provider',
    name,
  }),
  oidcProvider: (accountId: string, name: string): EntityRef => ({
    kind: 'entity',
    accountId,
    type: 'oidc-provider',
    name,
  }),
  allSamlProviders: (accountId: string) => ramCollectionArn(accountId, 'saml-provider'),
  allOidcProviders: (accountId: string) => ramCollectionArn(accountId, 'oidc-provider'),
};
