import { describe, expect, it } from 'vitest';
import { parseDate } from '../../../src/policy/conditions/date.js';
import { conditionRows, date, str, type Row } from '../helpers.js';

const K = 'acs:CurrentTime';
const rows: Row[] = [
  [
    'DateEquals same instant other offset',
    { DateEquals: { [K]: '2026-03-01T09:00:00+08:00' } },
    { [K]: date('2026-03-01T01:00:00Z') },
    true,
  ],
  [
    'DateEquals one second later',
    { DateEquals: { [K]: '2026-03-01T01:00:00Z' } },
    { [K]: date('2026-03-01T01:00:01Z') },
    false,
  ],
  ['DateNotEquals absent', { DateNotEquals: { [K]: '2026-03-01' } }, {}, true],
  [
    'DateNotEquals same',
    { DateNotEquals: { [K]: '2026-03-01' } },
    { [K]: date('2026-03-01T00:00:00Z') },
    false,
  ],
  [
    'DateLessThan before',
    { DateLessThan: { [K]: '2019-08-12T17:00:00+08:00' } },
    { [K]: date('2019-08-12T08:59:59Z') },
    true,
  ],
  [
    'DateLessThan at the bound',
    { DateLessThan: { [K]: '2019-08-12T17:00:00+08:00' } },
    { [K]: date('2019-08-12T09:00:00Z') },
    false,
  ],
  [
    'DateLessThanEquals at the bound',
    { DateLessThanEquals: { [K]: '2026-01-01T00:00:00Z' } },
    { [K]: date('2026-01-01T08:00:00+08:00') },
    true,
  ],
  [
    'DateGreaterThan after',
    { DateGreaterThan: { [K]: '2026-01-01T00:00:00Z' } },
    { [K]: date('2026-01-01T00:00:00.001Z') },
    true,
  ],
  [
    'DateGreaterThanEquals before',
    { DateGreaterThanEquals: { [K]: '2026-01-01T00:00:00Z' } },
    { [K]: date('2025-12-31T23:59:59Z') },
    false,
  ],
  [
    'date-only is midnight UTC',
    { DateLessThan: { [K]: '2026-01-31' } },
    { [K]: date('2026-01-31T07:59:59+08:00') },
    true,
  ],
  [
    'no zone is UTC',
    { DateEquals: { [K]: '2026-01-31T10:00:00' } },
    { [K]: date('2026-01-31T10:00:00Z') },
    true,
  ],
  [
    'epoch seconds text',
    { DateGreaterThan: { [K]: '1795392000' } },
    { [K]: date('2026-11-23T00:00:01Z') },
    true,
  ],
  [
    'epoch seconds JSON number',
    { DateLessThan: { [K]: 1795392000 } },
    { [K]: date('2026-11-22T23:59:59Z') },
    true,
  ],
  [
    'fractional seconds count',
    { DateLessThan: { [K]: '2026-01-01T00:00:00.5Z' } },
    { [K]: date('2026-01-01T00:00:00.25Z') },
    true,
  ],
  [
    'offset without colon',
    { DateEquals: { [K]: '2026-01-01T08:00:00+0800' } },
    { [K]: date('2026-01-01T00:00:00Z') },
    true,
  ],
  [
    'negative offset',
    { DateEquals: { [K]: '2025-12-31T19:00:00-05:00' } },
    { [K]: date('2026-01-01T00:00:00Z') },
    true,
  ],
  [
    'unparseable request value never matches',
    { DateLessThan: { [K]: '2026-01-01' } },
    { [K]: str('yesterday') },
    false,
  ],
  [
    'unparseable request value satisfies DateNotEquals',
    { DateNotEquals: { [K]: '2026-01-01' } },
    { [K]: str('yesterday') },
    true,
  ],
  [
    'multi-valued: any',
    { DateLessThan: { [K]: '2026-01-01' } },
    { [K]: date('2027-01-01', '2025-01-01') },
    true,
  ],
];

describe('date operators', () => {
  conditionRows(rows, it);

  it.each([
    ['2026-01-31', Date.UTC(2026, 0, 31)],
    ['2026-01-31T10:20', Date.UTC(2026, 0, 31, 10, 20)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-03-01T09:00:00+08:00', Date.UTC(2026, 2, 1, 1)],
    ['0099-01-01', -59042995200000],
    [0, 0],
    ['2026-02-29', undefined],
    ['2026-13-01', undefined],
    ['2026-01-01T24:00:00Z', undefined],
    ['2026-01-01T10:00:00+25:00', undefined],
    ['next tuesday', undefined],
    ['2026/01/01', undefined],
    [1.5, undefined],
    [false, undefined],
  ] as const)('parses %j as %j', (text, want) => {
    expect(parseDate(text)).toBe(want);
  });
});
