import { defineAction } from '../../action.js';
import { Param, params } from '../../params.js';
import { ramResource } from '../../ram/resources.js';
import { paramError } from '../../../errors.js';
import { asciiLowerCase } from '../../../text.js';

const SUFFIX = '.onaliyun.com';
const PREFIX = /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/**
 * `<prefix>.onaliyun.com`, at most 64 characters. The prefix is the account alias (RAM's
 * SetAccountAlias / ClearAccountAlias change the same value), so it follows the alias rule:
 * 3..32 lowercase letters, digits and single hyphens, not at either end; the account id itself
 * goes back to having no alias. InvalidParameter.DefaultDomainName.Length / .Format.
 */
function defaultDomainName(): Param<string> {
  return new Param((raw, param) => {
    const name = asciiLowerCase(raw);
    if (name.length > 64) {
      throw paramError(
        `InvalidParameter.${param}.Length`,
        `The parameter - "${param}" beyond the length limit.`,
      );
    }
    const prefix = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : '';
    if (!/^[0-9]{16}$/.test(prefix) && (prefix.length < 3 || prefix.length > 32 || !PREFIX.test(prefix))) {
      throw paramError(
        `InvalidParameter.${param}.Format`,
        `The parameter - "${param}" MUST be <prefix>.onaliyun.com: a prefix of 3 to 32 lowercase letters, digits and single hyphens, not at either end.`,
      );
    }
    return prefix;
  });
}

export default defineAction({
  service: 'ims',
  name: 'SetDefaultDomain',
  params: params({ DefaultDomainName: defaultDomainName() }),
  authorize: (req) => ({ action: 'ram:SetDefaultDomain', resource: ramResource.account(req.accountId) }),
  handle: async (req, { domain }) => {
    const prefix = req.params.DefaultDomainName;
    if (prefix === req.accountId) await domain.accounts.clearAlias(req.accountId);
    else if (/^[0-9]{16}$/.test(prefix)) {
      throw paramError(
        'InvalidParameter.DefaultDomainName.Format',
        'The parameter - "DefaultDomainName" names another account.',
      );
    } else await domain.accounts.setAlias(req.accountId, prefix);
    return { DefaultDomainName: `${prefix}${SUFFIX}` };
  },
});
