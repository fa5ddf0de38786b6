/** Effect: "Allow" or "Deny", exact spelling. */
import type { JsonValue } from '../json.js';
import { report, show, type Sink } from './common.js';

export function readEffect(v: JsonValue | undefined, path: string, sink: Sink): 'Allow' | 'Deny' | undefined {
  if (v === undefined) {
    report(sink, 'MissingEffect', path, 'Effect is required ("Allow" or "Deny")');
    return undefined;
  }
  if (v === 'Allow' || v === 'Deny') return v;
  report(sink, 'InvalidEffect', path, `Effect must be "Allow" or "Deny" (exact case), not ${show(v)}`);
  return undefined;
}
