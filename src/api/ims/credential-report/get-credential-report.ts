import { defineAction } from '../../action.js';
import { p, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { REPORT_MAX_ITEMS } from '../../../domain/credential-report.js';

/**
 * The last complete credential report: base64 of CSV (a header line, then up to MaxItems
 * rows), its generation time, and NextToken while rows remain. IsTruncated is a string in the
 * SDK model ("true" / "false").
 */
export default defineAction({
  service: 'ims',
  name: 'GetCredentialReport',
  params: params({
    NextToken: p.marker().optional(),
    MaxItems: p.maxItems(REPORT_MAX_ITEMS).default(REPORT_MAX_ITEMS),
  }),
  authorize: (req) => ({ action: 'ram:GetCredentialReport', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const page = await domain.credentialReports.get(req.accountId, {
      nextToken: req.params.NextToken,
      maxItems: req.params.MaxItems,
    });
    return {
      Content: page.content,
      GeneratedTime: page.generatedTime,
      IsTruncated: String(page.isTruncated),
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  },
});
