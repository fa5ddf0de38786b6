/** The business rules over the store: accounts, users, groups, roles, policies, keys, MFA. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Domain {}
