/** Condition: { operator: { key: value | [values] } } (S12-S15, section 4). */
import { parseOperator } from '../conditions/operators.js';
import { canonicalKey } from '../conditions/keys.js';
import type { Scalar } from '../conditions/string.js';
import type { ConditionClause } from '../document.js';
import { childPath, indexPath, isJsonObject, jsonText, type JsonValue, type NumberTexts } from '../json.js';
import { report, show, type Sink } from './common.js';

/**
 * Reads a Condition element. `numberTexts` (from readJson) gives the source text of numbers too
 * large for a double, so that a refusal quotes `1e999` as written, not JSON's `null`.
 */
export function readCondition(
  v: JsonValue,
  path: string,
  sink: Sink,
  numberTexts: NumberTexts = new Map(),
): ConditionClause[] | undefined {
  const p = `${path}.Condition`;
  if (!isJsonObject(v)) {
    report(sink, 'InvalidCondition', p, `Condition must be an object of operators, not ${show(v)}`);
    return undefined;
  }
  const clauses: ConditionClause[] = [];
  for (const operator of Object.keys(v)) {
    const op = childPath(p, operator);
    const block = v[operator] as JsonValue;
    const parsed = parseOperator(operator);
    if (!parsed) {
      report(
        sink,
        'UnsupportedOperator',
        op,
        `${JSON.stringify(operator)} is not a condition operator of RAM (see the 21 operators, optionally prefixed ForAnyValue: or ForAllValues:)`,
      );
    }
    if (!isJsonObject(block)) {
      report(
        sink,
        'InvalidCondition',
        op,
        `The ${operator} block must be an object of condition keys, not ${show(block)}`,
      );
      clauses.push({
        operator,
        parsed,
        key: '',
        canonicalKey: '',
        values: [],
        path: op,
        problem: 'malformed block',
      });
      continue;
    }
    const keys = Object.keys(block);
    if (keys.length === 0) {
      report(sink, 'InvalidCondition', op, `The ${operator} block names no condition key`);
      clauses.push({
        operator,
        parsed,
        key: '',
        canonicalKey: '',
        values: [],
        path: op,
        problem: 'empty block',
      });
      continue;
    }
    for (const key of keys) {
      const kp = childPath(op, key);
      const raw = block[key] as JsonValue;
      let problem: string | undefined = parsed ? undefined : `unsupported operator ${operator}`;
      if (key === '') {
        report(sink, 'InvalidCondition', kp, 'A condition key must not be empty');
        problem ??= 'empty condition key';
      }
      const items = Array.isArray(raw) ? raw : [raw];
      if (items.length === 0) {
        report(sink, 'EmptyConditionValues', kp, `${operator} ${JSON.stringify(key)} lists no value`);
        problem ??= 'no values';
      }
      const values: Scalar[] = [];
      items.forEach((item, i) => {
        const ip = Array.isArray(raw) ? indexPath(kp, i) : kp;
        if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
          report(sink, 'InvalidConditionValue', ip, `${show(item)} is not a string, number or boolean`);
          problem ??= 'a value is not a scalar';
          return;
        }
        if (parsed && parsed.spec.parsePolicy(item) === undefined) {
          const text = jsonText(item, ip, numberTexts);
          report(sink, 'InvalidConditionValue', ip, `${text} is not ${parsed.spec.expects}`);
          problem ??= `${text} is not ${parsed.spec.expects}`;
        }
        values.push(item);
      });
      const clause: ConditionClause = {
        operator,
        parsed,
        key,
        canonicalKey: canonicalKey(key),
        values,
        path: kp,
      };
      clauses.push(problem === undefined ? clause : { ...clause, problem });
    }
  }
  return clauses;
}
