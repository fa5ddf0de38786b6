import { apiError } from '../errors.js';
import type { DomainContext } from './context.js';
import type { DocumentArrival, DocumentKind } from './policy-engine.js';

/** Validates a policy document as the API must: throws the first error the engine reports. */
export async function checkDocument(
  ctx: DomainContext,
  text: string,
  kind: DocumentKind,
  where: DocumentArrival,
): Promise<void> {
  const engine = await ctx.engine();
  const issue = engine.policyError(text, kind, where);
  if (issue) throw apiError(issue.code, issue.message);
}
