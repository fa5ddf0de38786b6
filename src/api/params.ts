/**
 * The parameter DSL of the API actions: each action declares its wire parameters with the
 * builders of `p`, and `params({...})` turns the declaration into a ParamSchema that parses
 * the raw string parameters of a request into typed values, or throws the ApiError the
 * service answers for bad input.
 *
 * Codes (see docs/ram-api.md "Parameter validation"):
 * - an absent required parameter: `Missing<Name>`, "<Name> is mandatory for this action."
 *   (the gateway form; the catalogue lists it as Missing{ParameterName});
 * - names (users, groups, roles, policies, MFA devices): `InvalidParameter.<Name>.Length`,
 *   `InvalidParameter.<Name>.InvalidChars`, with the service's literal messages;
 * - free text: `InvalidParameter.<Name>.Length`; e-mail and phone: `InvalidParameter.<Name>.Format`;
 * - the values with a code of their own: PolicyType, VersionId, AccountAlias,
 *   AuthenticationCode, MinimumPasswordLength;
 * - every other malformed value (booleans, numbers out of range, enumerations, JSON lists):
 *   `InvalidParameter`, with a message naming the parameter and the rule.
 */
import type { ParamSchema } from './action.js';
import { invalidParameter, missingParameter, paramError } from '../errors.js';
import { asciiLowerCase } from '../text.js';

type Parser<T> = (raw: string, name: string) => T;

/** One declared parameter: how its raw string becomes a value, and whether it may be absent. */
export class Param<T> {
  constructor(
    private readonly parser: Parser<T>,
    private readonly absent: ((name: string) => T) | undefined = undefined,
    /** Whether an empty string counts as absent (markers, tokens). */
    private readonly emptyIsAbsent = false,
  ) {}

  /** Whether a request must carry it. */
  get required(): boolean {
    return this.absent === undefined;
  }

  /** The value of this parameter in a request; raw is undefined when the request lacks it. */
  read(name: string, raw: string | undefined): T {
    if (raw === undefined || (this.emptyIsAbsent && raw === '')) {
      if (this.absent) return this.absent(name);
      throw missingParameter(name);
    }
    return this.parser(raw, name);
  }

  /** The parameter may be absent: its value is then undefined. */
  optional(): Param<T | undefined> {
    return new Param<T | undefined>(this.parser, () => undefined, this.emptyIsAbsent);
  }

  /** The parameter may be absent: its value is then `value`. */
  default(value: T): Param<T> {
    return new Param<T>(this.parser, () => value, this.emptyIsAbsent);
  }

  /** Further checks or a conversion after the base parser. */
  then<U>(next: (value: T, name: string) => U): Param<U> {
    const parser = this.parser;
    return new Param<U>((raw, name) => next(parser(raw, name), name), undefined, this.emptyIsAbsent);
  }
}

export type ParamValue<X> = X extends Param<infer T> ? T : never;
export type ParamsOf<S extends Record<string, Param<unknown>>> = {
  readonly [K in keyof S]: ParamValue<S[K]>;
};

/**
 * The schema of an action: one Param per wire name. Parameters the schema does not name
 * (common parameters such as Format or RegionId) are ignored. Parameters are checked in the
 * order declared; the first problem is the answer.
 */
export function params<S extends Record<string, Param<unknown>>>(spec: S): ParamSchema<ParamsOf<S>> {
  const entries = Object.entries(spec);
  return {
    fields: entries.map(([name, param]) => ({ name, required: param.required })),
    parse(raw) {
      const out: Record<string, unknown> = {};
      for (const [name, param] of entries) {
        const value = Object.prototype.hasOwnProperty.call(raw, name) ? raw[name] : undefined;
        out[name] = param.read(name, value);
      }
      return out as ParamsOf<S>;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rules

interface NameRule {
  readonly min: number;
  readonly max: number;
  readonly chars: RegExp;
}

const USER_NAME: NameRule = { min: 1, max: 64, chars: /^[A-Za-z0-9._-]*$/ };
const GROUP_NAME: NameRule = { min: 1, max: 64, chars: /^[A-Za-z0-9._-]*$/ };
const ROLE_NAME: NameRule = { min: 1, max: 64, chars: /^[A-Za-z0-9.-]*$/ };
const POLICY_NAME: NameRule = { min: 1, max: 128, chars: /^[A-Za-z0-9-]*$/ };
const MFA_DEVICE_NAME: NameRule = { min: 1, max: 64, chars: /^[A-Za-z0-9.-]*$/ };

/** Characters, as the service counts them (code points). */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function name(rule: NameRule): Param<string> {
  return new Param((raw, param) => {
    const n = length(raw);
    if (n < rule.min || n > rule.max) {
      throw paramError(
        `InvalidParameter.${param}.Length`,
        `The parameter - "${param}" beyond the length limit.`,
      );
    }
    if (!rule.chars.test(raw)) {
      throw paramError(
        `InvalidParameter.${param}.InvalidChars`,
        `The parameter - "${param}" contains invalid chars.`,
      );
    }
    return raw;
  });
}

function text(min: number, max: number): Param<string> {
  return new Param((raw, param) => {
    const n = length(raw);
    if (n < min || n > max) {
      throw paramError(
        `InvalidParameter.${param}.Length`,
        min === 0
          ? `The parameter - "${param}" MUST NOT be longer than ${max} characters.`
          : `The parameter - "${param}" MUST be ${min} to ${max} characters long.`,
      );
    }
    return raw;
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MOBILE_PHONE = /^[0-9]{1,5}-[0-9]{4,20}$/;
const VERSION_ID = /^v[1-9][0-9]{0,8}$/;
const ACCOUNT_ALIAS = /^[a-z0-9](?:-?[a-z0-9])*$/;
const AUTH_CODE = /^[0-9]{6}$/;
const INTEGER = /^-?[0-9]+$/;

function format(re: RegExp, max: number): Param<string> {
  return new Param((raw, param) => {
    if (raw.length > max || !re.test(raw)) {
      throw paramError(
        `InvalidParameter.${param}.Format`,
        `The parameter - "${param}" is not in a valid format.`,
      );
    }
    return raw;
  });
}

function int(min: number, max: number, code?: string): Param<number> {
  return new Param((raw, param) => {
    const value = INTEGER.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const message = `The parameter - "${param}" MUST be in the range of ${min} and ${max}.`;
      throw code ? paramError(code, message) : paramError('InvalidParameter', message);
    }
    return value;
  });
}

function bool(): Param<boolean> {
  return new Param((raw, param) => {
    const v = raw.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParameter(param, 'MUST be true or false.');
  });
}

function oneOf<const V extends string>(values: readonly V[], code?: string): Param<V> {
  return new Param((raw, param) => {
    const found = values.find((v) => v === raw);
    if (found !== undefined) return found;
    const message = `The parameter - "${param}" MUST be one of ${values.join(', ')}.`;
    throw code ? paramError(code, message) : paramError('InvalidParameter', message);
  });
}

/** A string that only has to be there (passwords, documents checked further by the domain). */
function string(max = Number.POSITIVE_INFINITY): Param<string> {
  return new Param((raw, param) => {
    if (length(raw) > max) throw invalidParameter(param, `MUST NOT be longer than ${max} characters.`);
    return raw;
  });
}

/** Half of a surrogate pair, alone (with the u flag, a whole pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** RAM's JSON-string lists: one parameter that holds a JSON array. */
function jsonList<T>(
  item: (value: unknown, param: string, index: number) => T,
  opts: { readonly min?: number; readonly max: number },
): Param<readonly T[]> {
  return new Param((raw, param) => {
    let value: unknown;
    let wellFormed = true;
    try {
      // A JSON escape can name half of a surrogate pair (`"\ud800"`): text no store can keep as it
      // is (SQLite would keep bytes that are not UTF-8, PostgreSQL a replacement character).
      value = JSON.parse(raw, (_key, v: unknown) => {
        if (typeof v === 'string' && LONE_SURROGATE.test(v)) wellFormed = false;
        return v;
      });
    } catch {
      throw invalidParameter(param, 'MUST be a JSON array.');
    }
    if (!wellFormed) throw invalidParameter(param, 'MUST hold only well-formed Unicode text.');
    if (!Array.isArray(value)) throw invalidParameter(param, 'MUST be a JSON array.');
    const min = opts.min ?? 1;
    if (value.length < min || value.length > opts.max) {
      throw invalidParameter(param, `MUST hold ${min} to ${opts.max} items.`);
    }
    return value.map((v, i) => item(v, param, i));
  });
}

export interface TagParam {
  readonly Key: string;
  readonly Value: string;
}

export interface TagFilterParam {
  readonly Key: string;
  readonly Value?: string;
}

const FORBIDDEN_TAG_PREFIX = /^(aliyun|acs:)/i;
const URL_IN_TAG = /https?:\/\//i;

function tagKey(key: unknown, param: string, index: number): string {
  if (typeof key !== 'string' || length(key) < 1 || length(key) > 128) {
    throw invalidParameter(param, `item ${index + 1}: Key MUST be 1 to 128 characters long.`);
  }
  if (FORBIDDEN_TAG_PREFIX.test(key) || URL_IN_TAG.test(key)) {
    throw invalidParameter(
      param,
      `item ${index + 1}: Key MUST NOT start with aliyun or acs: or contain http:// or https://.`,
    );
  }
  return key;
}

function tagValue(value: unknown, param: string, index: number): string {
  if (typeof value !== 'string' || length(value) > 256) {
    throw invalidParameter(param, `item ${index + 1}: Value MUST be a string of at most 256 characters.`);
  }
  if (FORBIDDEN_TAG_PREFIX.test(value) || URL_IN_TAG.test(value)) {
    throw invalidParameter(
      param,
      `item ${index + 1}: Value MUST NOT start with aliyun or acs: or contain http:// or https://.`,
    );
  }
  return value;
}

function objectItem(value: unknown, param: string, index: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(param, `item ${index + 1} MUST be an object with Key and Value.`);
  }
  return value as Record<string, unknown>;
}

function tagItem(value: unknown, param: string, index: number): TagParam {
  const o = objectItem(value, param, index);
  return { Key: tagKey(o.Key, param, index), Value: tagValue(o.Value ?? '', param, index) };
}

function tagFilterItem(value: unknown, param: string, index: number): TagFilterParam {
  const o = objectItem(value, param, index);
  const key = tagKey(o.Key, param, index);
  return o.Value === undefined ? { Key: key } : { Key: key, Value: tagValue(o.Value, param, index) };
}

function nameItem(rule: NameRule, what: string) {
  return (value: unknown, param: string, index: number): string => {
    if (
      typeof value !== 'string' ||
      length(value) < rule.min ||
      length(value) > rule.max ||
      !rule.chars.test(value)
    ) {
      throw invalidParameter(param, `item ${index + 1} is not a valid ${what}.`);
    }
    return value;
  };
}

function distinct<T>(list: readonly T[], key: (t: T) => string, param: string, what: string): readonly T[] {
  const seen = new Set<string>();
  for (const t of list) {
    const k = key(t);
    if (seen.has(k)) throw invalidParameter(param, `holds the ${what} "${k}" twice.`);
    seen.add(k);
  }
  return list;
}

const LIST_NAME: NameRule = { min: 1, max: 128, chars: /^[A-Za-z0-9._-]*$/ };

/** The builders, one per kind of RAM parameter. */
export const p = {
  userName: () => name(USER_NAME),
  groupName: () => name(GROUP_NAME),
  roleName: () => name(ROLE_NAME),
  policyName: () => name(POLICY_NAME),
  mfaDeviceName: () => name(MFA_DEVICE_NAME),
  /** `System` or `Custom`; anything else: InvalidParameter.PolicyType. */
  policyType: () =>
    new Param<'System' | 'Custom'>((raw) => {
      if (raw === 'System' || raw === 'Custom') return raw;
      throw paramError('InvalidParameter.PolicyType', 'The parameter - "PolicyType" is incorrect.');
    }),
  /** Free text of min..max characters: InvalidParameter.<Name>.Length. */
  text,
  email: () => format(EMAIL, 128),
  mobilePhone: () => format(MOBILE_PHONE, 32),
  /** `vN`: InvalidParameter.VersionId.Format. */
  versionId: () =>
    new Param((raw, param) => {
      if (!VERSION_ID.test(raw)) {
        throw paramError(
          `InvalidParameter.${param}.Format`,
          `The parameter - "${param}" MUST be in the form vN.`,
        );
      }
      return raw;
    }),
  /**
   * 3..32 letters, digits and single hyphens, not at either end; letters are taken lower-case
   * (the alias is a DNS label). InvalidParameter.AccountAlias.Length / .Format.
   */
  accountAlias: () =>
    new Param((raw, param) => {
      const n = length(raw);
      if (n < 3 || n > 32) {
        throw paramError(
          `InvalidParameter.${param}.Length`,
          `The parameter - "${param}" MUST be in the range of 3 and 32.`,
        );
      }
      const alias = asciiLowerCase(raw);
      if (!ACCOUNT_ALIAS.test(alias)) {
        throw paramError(
          `InvalidParameter.${param}.Format`,
          `The parameter - "${param}" may only contain letters, digits and single hyphens, not at either end.`,
        );
      }
      return alias;
    }),
  /** Six digits: InvalidParameter.AuthenticationCode.Format. */
  authenticationCode: () =>
    new Param((raw) => {
      if (!AUTH_CODE.test(raw)) {
        throw paramError(
          'InvalidParameter.AuthenticationCode.Format',
          'The parameter - "AuthenticationCode" MUST be 6 numbers.',
        );
      }
      return raw;
    }),
  /** MaxItems of a list operation: 1..max. */
  maxItems: (max: number) => int(1, max),
  /** An opaque paging marker; an empty value counts as absent. */
  marker: () =>
    new Param(
      (raw, param) => {
        if (raw.length > 4096) throw invalidParameter(param, 'is not a valid marker.');
        return raw;
      },
      undefined,
      true,
    ),
  bool,
  /** An integer in min..max; `code` replaces the generic InvalidParameter. */
  int,
  oneOf,
  string,
  /** An AccessKey id as this service issues them (letters and digits, 16..128). */
  accessKeyId: () =>
    new Param((raw, param) => {
      if (!/^[A-Za-z0-9]{16,128}$/.test(raw)) throw invalidParameter(param, 'is not a valid AccessKey id.');
      return raw;
    }),
  /** `Active` or `Inactive`. */
  keyStatus: () => oneOf(['Active', 'Inactive'] as const),
  jsonList,
  /** `Tag` of CreateRole / CreatePolicy / TagResources: up to 20 distinct keys with values. */
  tags: () =>
    jsonList(tagItem, { max: 20 }).then((list, param) => distinct(list, (t) => t.Key, param, 'tag key')),
  /** `Tag` of ListRoles / ListPolicies / ListTagResources: keys with optional values. */
  tagFilters: () => jsonList(tagFilterItem, { max: 20 }),
  /** `TagKeys` of UntagResources. */
  tagKeys: () =>
    jsonList((v, param, i) => tagKey(v, param, i), { max: 20 }).then((list, param) =>
      distinct(list, (k) => k, param, 'tag key'),
    ),
  /** `ResourceNames`: role or policy names, up to 50. */
  resourceNames: () =>
    jsonList(nameItem(LIST_NAME, 'resource name'), { max: 50 }).then((list, param) =>
      distinct(list, asciiLowerCase, param, 'resource name'),
    ),
};
