import { describe, expect, it } from 'vitest';
import { checkBucketName, isValidBucketName, objectKeyProblem } from '../../src/oss/names.js';
import { OssError } from '../../src/oss/errors.js';

describe('bucket names', () => {
  it.each([
    ['abc', true],
    ['ramtest-bucket', true],
    ['a1-2b', true],
    ['a'.repeat(63), true],
    ['ab', false],
    ['a'.repeat(64), false],
    ['-abc', false],
    ['abc-', false],
    ['Abc', false],
    ['a_b', false],
    ['a.b', false],
    ['', false],
  ])('%s -> %s', (name, ok) => {
    expect(isValidBucketName(name)).toBe(ok);
  });

  it('refuses with InvalidBucketName 400 naming the bucket', () => {
    try {
      checkBucketName('Bad_Name');
      expect.fail('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(OssError);
      expect([(err as OssError).code, (err as OssError).status, (err as OssError).extra]).toEqual([
        'InvalidBucketName',
        400,
        { BucketName: 'Bad_Name' },
      ]);
    }
  });
});

describe('object keys', () => {
  it.each([
    ['a', undefined],
    ['Development/ProjectA.docx', undefined],
    ['a b+c/é/日本', undefined],
    ['dots..in.name', undefined],
    ['.hidden/..name', undefined],
    ['a'.repeat(1023), undefined],
    ['', 'the object name is empty'],
    ['a'.repeat(1024), 'the object name is longer than 1023 bytes'],
    ['é'.repeat(512), 'the object name is longer than 1023 bytes'],
    ['/lead', 'the object name starts with "/" or "\\"'],
    ['\\lead', 'the object name starts with "/" or "\\"'],
    ['nul\u0000', 'the object name contains a control character'],
    ['del\u007f', 'the object name contains a control character'],
    ['lone\ud800', 'the object name is not valid UTF-8'],
    ['..', 'the object name contains a "." or ".." segment'],
    ['a/../b', 'the object name contains a "." or ".." segment'],
    ['a/./b', 'the object name contains a "." or ".." segment'],
    ['a\\..\\b', 'the object name contains a "." or ".." segment'],
    ['a/..', 'the object name contains a "." or ".." segment'],
  ])('%j -> %s', (key, problem) => {
    expect(objectKeyProblem(key)).toBe(problem);
  });
});
