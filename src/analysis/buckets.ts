/** The OSS bucket catalogue as access analysis reads it: bucket names and their policies. */
import type { BucketPolicyReader } from '../domain/request-services.js';
import type { Catalog } from '../oss/catalog.js';

export function bucketPolicyReader(catalog: Catalog): BucketPolicyReader {
  return {
    async list(accountId) {
      const out: { name: string; policy: string | null }[] = [];
      let marker = '';
      for (;;) {
        const page = await catalog.listBuckets(accountId, '', marker, 1000);
        out.push(...page.buckets.map((b) => ({ name: b.name, policy: b.policy })));
        if (!page.truncated || page.buckets.length === 0) return out;
        marker = page.buckets[page.buckets.length - 1]!.name;
      }
    },
    async find(name) {
      const b = (await catalog.find(name))?.bucket;
      return b ? { name: b.name, accountId: b.accountId, policy: b.policy } : undefined;
    },
  };
}
