/**
 * What ResourceManager actions are authorized against: `resourcemanager:<Action>` on the
 * caller's directory, folder, member account or control policy. Ids are exact (no case
 * folding), so the ARN is the id as the request names it.
 */
import type { ParamSchema } from '../action.js';
import { readTagFilters } from '../ims/flat.js';
import { p } from '../params.js';
import { invalidParameter, paramError } from '../../errors.js';
import type { Paging, TagFilter } from '../../domain/resource-directory.js';

const arn = (accountId: string, resource: string) => `acs:resourcemanager::${accountId}:${resource}`;

export const rmResource = {
  directory: (accountId: string) => arn(accountId, 'resourcedirectory/*'),
  folder: (accountId: string, folderId: string) => arn(accountId, `folder/${folderId}`),
  account: (accountId: string, memberId: string) => arn(accountId, `account/${memberId}`),
  controlPolicy: (accountId: string, policyId: string) => arn(accountId, `controlpolicy/${policyId}`),
  handshake: (accountId: string, handshakeId: string) => arn(accountId, `handshake/${handshakeId}`),
  /** A target of an attachment: a folder (Root included) or a member account. */
  target: (accountId: string, targetId: string) =>
    arn(accountId, /^[0-9]{16}$/.test(targetId) ? `account/${targetId}` : `folder/${targetId}`),
};

/** Every id the directory issues: rd-, r-, fd-, cp-, h- and 16-digit account ids. */
const RM_ID = /^[A-Za-z0-9-]{1,128}$/;

/**
 * An id of the directory (rd-, r-, fd-, cp-, h-, or a 16-digit account id). A value that no id
 * can be (a control character, NUL included, which PostgreSQL refuses in a query; a space; any
 * other character) is `InvalidParameter.<Name>` before any query, the same on every store.
 */
export const rmId = () =>
  p.string(128).then((id, name) => {
    if (!RM_ID.test(id)) {
      throw paramError(
        `InvalidParameter.${name}`,
        `The parameter - "${name}" is not an id of the resource directory: 1 to 128 letters, digits and hyphens.`,
      );
    }
    return id;
  });

/** PageNumber (from 1) and PageSize (1..100, default 10). */
export const paging = {
  PageNumber: p.int(1, 1_000_000).default(1),
  PageSize: p.int(1, 100).default(10),
};

export function pagingOf(params: { readonly PageNumber: number; readonly PageSize: number }): Paging {
  return { pageNumber: params.PageNumber, pageSize: params.PageSize };
}

/**
 * The parameters of ListAccounts / ListAccountsForParent with their tag filter, `Tag.N.Key` and
 * `Tag.N.Value` as the SDK flattens it (the reads and checks IMS uses); a plain `Tag` is no form
 * the SDK sends, and is refused rather than ignored.
 */
export function withTagFilter<P>(
  base: ParamSchema<P>,
): ParamSchema<P & { readonly Tag: readonly TagFilter[] }> {
  return {
    ...(base.fields ? { fields: base.fields } : {}),
    parse(raw) {
      const parsed = base.parse(raw);
      if (Object.prototype.hasOwnProperty.call(raw, 'Tag')) {
        throw invalidParameter('Tag', 'MUST be sent as Tag.N.Key and Tag.N.Value.');
      }
      const Tag = readTagFilters(raw).map((t) =>
        t.Value === undefined ? { key: t.Key } : { key: t.Key, value: t.Value },
      );
      return { ...parsed, Tag };
    },
  };
}
