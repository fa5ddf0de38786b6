/**
 * The visual statement editor's document functions (web/src/policy-statements.ts): conditions
 * read into rows and written back in the shape they were read, so that a document opened and
 * saved keeps its conditions; drafts (no key, no value) are not written.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionBlock,
  conditionRows,
  withConditions,
  withStatement,
  type ConditionRow,
} from '../../web/src/policy-statements.js';
import { validatePolicy } from '../../src/policy/index.js';

const CONDITION = {
  Bool: { 'acs:SecureTransport': true, 'acs:MFAPresent': 'true' },
  StringLike: { 'oss:Prefix': 'home/*' },
  NumericLessThan: { 'oss:max-keys': 100 },
  IpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] },
  'ForAnyValue:StringEquals': { 'acs:TagKeys': ['a', 'b'] },
  DateLessThan: { 'acs:CurrentTime': '2030-01-01T00:00:00Z' },
};

const row = (operator: string, key: string, values: string[]): ConditionRow => ({
  operator,
  key,
  values,
  list: false,
  raw: [],
});

describe('condition rows', () => {
  it('round-trips every shape: booleans, numbers, one string, a list of one, lists', () => {
    const rows = conditionRows(CONDITION);
    expect(rows.map((r) => [r.operator, r.key, r.values])).toEqual([
      ['Bool', 'acs:SecureTransport', ['true']],
      ['Bool', 'acs:MFAPresent', ['true']],
      ['StringLike', 'oss:Prefix', ['home/*']],
      ['NumericLessThan', 'oss:max-keys', ['100']],
      ['IpAddress', 'acs:SourceIp', ['10.0.0.0/8']],
      ['ForAnyValue:StringEquals', 'acs:TagKeys', ['a', 'b']],
      ['DateLessThan', 'acs:CurrentTime', ['2030-01-01T00:00:00Z']],
    ]);
    expect(conditionBlock(rows)).toEqual(CONDITION);
  });

  it('writes one new value as a string and several as a list; an edited number becomes its text', () => {
    expect(
      conditionBlock([row('IpAddress', 'acs:SourceIp', ['1.2.3.4']), row('StringEquals', 'k:a', ['x', 'y'])]),
    ).toEqual({ IpAddress: { 'acs:SourceIp': '1.2.3.4' }, StringEquals: { 'k:a': ['x', 'y'] } });
    const [n] = conditionRows({ NumericLessThan: { 'oss:max-keys': 100 } });
    expect(conditionBlock([{ ...n!, values: ['200'] }])).toEqual({
      NumericLessThan: { 'oss:max-keys': '200' },
    });
  });

  it('leaves drafts out and merges rows of the same operator and key', () => {
    expect(conditionBlock([row('StringEquals', '', ['x']), row('StringEquals', 'k:a', [])])).toBeUndefined();
    expect(conditionBlock([row('StringEquals', 'k:a', ['x']), row('StringEquals', 'k:a', ['y'])])).toEqual({
      StringEquals: { 'k:a': ['x', 'y'] },
    });
  });
});

describe('documents', () => {
  const doc = JSON.stringify({
    Version: '1',
    Statement: [
      { Sid: 'one', Effect: 'Allow', Action: 'oss:GetObject', Resource: '*', Condition: CONDITION },
      { Effect: 'Deny', Action: 'oss:*', Resource: '*' },
    ],
  });

  it('replaces one statement’s conditions and keeps everything else', () => {
    const rows = conditionRows(CONDITION).filter((r) => r.operator !== 'DateLessThan');
    const out = JSON.parse(
      withConditions(doc, 0, [...rows, row('NotIpAddress', 'acs:SourceIp', ['9.9.9.9'])]),
    );
    const { DateLessThan: _d, ...kept } = CONDITION;
    expect(out.Statement[0]).toEqual({
      Sid: 'one',
      Effect: 'Allow',
      Action: 'oss:GetObject',
      Resource: '*',
      Condition: { ...kept, NotIpAddress: { 'acs:SourceIp': '9.9.9.9' } },
    });
    expect(out.Statement[1]).toEqual({ Effect: 'Deny', Action: 'oss:*', Resource: '*' });
    // Opened and saved without a change: the same document.
    expect(JSON.parse(withConditions(doc, 0, conditionRows(CONDITION)))).toEqual(JSON.parse(doc));
    // No rows left: no Condition element.
    expect(JSON.parse(withConditions(doc, 0, [])).Statement[0].Condition).toBeUndefined();
  });

  it('adds a statement with conditions that the engine accepts', () => {
    const text = withStatement(
      '{"Version":"1","Statement":[]}',
      'Allow',
      ['oss:GetObject'],
      ['*'],
      [row('IpAddress', 'acs:SourceIp', ['10.0.0.0/8', '192.168.1.1'])],
    );
    expect(JSON.parse(text).Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'oss:GetObject',
        Resource: '*',
        Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '192.168.1.1'] } },
      },
    ]);
    expect(validatePolicy(text, 'permission')).toEqual([]);
  });
});
