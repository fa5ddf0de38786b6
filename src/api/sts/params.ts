/** Parameters of the STS actions, with STS's own codes (InvalidParameter.<Name>). */
import { Param } from '../params.js';
import { paramError } from '../../errors.js';

/** Letters, digits and the given punctuation, within a length range; else InvalidParameter.<Name>. */
function token(min: number, max: number, chars: RegExp, rule: string): Param<string> {
  return new Param((raw, name) => {
    if ([...raw].length < min || [...raw].length > max || !chars.test(raw)) {
      throw paramError(
        `InvalidParameter.${name}`,
        `The parameter - "${name}" must be ${min} to ${max} characters: ${rule}.`,
      );
    }
    return raw;
  });
}

export const sts = {
  /** 2 to 64 letters, digits, `.`, `@`, `-`, `_`. */
  roleSessionName: () =>
    token(
      2,
      64,
      /^[A-Za-z0-9.@_-]*$/,
      'letters, digits, periods (.), at signs (@), hyphens (-) and underscores (_)',
    ),
  /** 2 to 1,224 letters, digits and `= , . @ : / - _`. */
  externalId: () => token(2, 1224, /^[A-Za-z0-9=,.@:/_-]*$/, 'letters, digits and = , . @ : / - _'),
  /** 2 to 64 letters, digits and `= , . @ - _ +`. */
  sourceIdentity: () => token(2, 64, /^[A-Za-z0-9=,.@_+-]*$/, 'letters, digits and = , . @ - _ +'),
  /** A whole number of seconds; its range depends on the role (checked when the role is known). */
  durationSeconds: () =>
    new Param((raw) => {
      if (!/^\d{1,9}$/.test(raw)) {
        throw paramError(
          'InvalidParameter.DurationSeconds',
          'The parameter - "DurationSeconds" must be a whole number of seconds.',
        );
      }
      return Number(raw);
    }),
  /** The session policy, 1 to 2,048 characters (its grammar is checked by the engine). */
  sessionPolicy: () =>
    new Param((raw) => {
      if (raw.length === 0 || [...raw].length > 2048) {
        throw paramError(
          'InvalidParameter.PolicySize',
          'The parameter - "Policy" must be 1 to 2048 characters long.',
        );
      }
      return raw;
    }),
};
