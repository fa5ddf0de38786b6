/**
 * What ResourceManager actions are authorized against: `resourcemanager:<Action>` on the
 * caller's directory, folder, member account or control policy. Ids are exact (no case
 * folding), so the ARN is the id as the request names it.
 */
import { p } from '../params.js';
import type { Paging } from '../../domain/resource-directory.js';

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

/** An id of the directory (rd-, r-, fd-, cp-, or a 16-digit account id). */
export const rmId = () => p.string(128);

/** PageNumber (from 1) and PageSize (1..100, default 10). */
export const paging = {
  PageNumber: p.int(1, 1_000_000).default(1),
  PageSize: p.int(1, 100).default(10),
};

export function pagingOf(params: { readonly PageNumber: number; readonly PageSize: number }): Paging {
  return { pageNumber: params.PageNumber, pageSize: params.PageSize };
}
