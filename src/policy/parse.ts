/**
 * JSON text (or parsed JSON) -> PolicyDocument, collecting every finding with its path.
 * The document is always produced, read leniently: a broken statement never matches and a
 * condition that cannot be evaluated never holds, so a stored document never fails to load.
 */
import type { Finding, PolicyDocument, PolicyKind, Statement } from './document.js';
import { readStatement } from './elements/statement.js';
import {
  childPath,
  indexPath,
  isJsonObject,
  jsonText,
  readJson,
  type JsonValue,
  type NumberTexts,
} from './json.js';

export interface ParseResult {
  readonly document: PolicyDocument;
  /** Every grammar problem (errors), in document order. */
  readonly findings: readonly Finding[];
}

const EMPTY: PolicyDocument = { statements: [] };

export function parsePolicyDocument(source: string | object, kind: PolicyKind): ParseResult {
  const findings: Finding[] = [];
  let value: JsonValue;
  let numberTexts: NumberTexts = new Map();
  if (typeof source === 'string') {
    const read = readJson(source);
    if (!read.ok) {
      findings.push({
        reason: 'InvalidJson',
        path: '',
        message: `The document is not valid JSON: ${read.message}`,
      });
      return { document: EMPTY, findings };
    }
    value = read.value;
    numberTexts = read.numberTexts;
    for (const d of read.duplicates) {
      findings.push({
        reason: 'DuplicateKey',
        path: childPath(d.path, d.key),
        message: `Duplicate key ${JSON.stringify(d.key)}${d.path ? ` in ${d.path}` : ''}: each element may appear once`,
      });
    }
  } else {
    value = source as JsonValue;
  }
  if (!isJsonObject(value)) {
    findings.push({ reason: 'NotAnObject', path: '', message: 'The document must be a JSON object' });
    return { document: EMPTY, findings };
  }
  for (const key of Object.keys(value)) {
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id') {
      findings.push({
        reason: 'UnknownElement',
        path: childPath('', key),
        message: `Unknown element ${JSON.stringify(key)}; a policy has Version and Statement (exact case)`,
      });
    }
  }
  if (value.Id !== undefined && typeof value.Id !== 'string') {
    findings.push({ reason: 'UnknownElement', path: 'Id', message: 'Id must be a string' });
  }
  const version = value.Version;
  if (version === undefined) {
    findings.push({
      reason: 'MissingVersion',
      path: 'Version',
      message: 'Version is required and must be "1"',
    });
  } else if (version !== '1') {
    findings.push({
      reason: 'InvalidVersion',
      path: 'Version',
      message: `Version must be the string "1", not ${jsonText(version, 'Version', numberTexts)}`,
    });
  }
  const raw = value.Statement;
  const statements: Statement[] = [];
  if (raw === undefined) {
    findings.push({ reason: 'MissingStatement', path: 'Statement', message: 'Statement is required' });
  } else if (Array.isArray(raw)) {
    if (raw.length === 0) {
      findings.push({
        reason: 'EmptyStatement',
        path: 'Statement',
        message: 'Statement must list at least one statement',
      });
    }
    raw.forEach((s, i) =>
      statements.push(readStatement(s, i, indexPath('Statement', i), kind, findings, numberTexts)),
    );
  } else if (isJsonObject(raw)) {
    statements.push(readStatement(raw, 0, 'Statement', kind, findings, numberTexts));
  } else {
    findings.push({
      reason: 'InvalidStatement',
      path: 'Statement',
      message: 'Statement must be a statement object or an array of them',
    });
  }
  return { document: { statements }, findings };
}
