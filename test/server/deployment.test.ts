import { describe, expect, it } from 'vitest';
import { createSealer } from '../../src/crypto/seal.js';
import { generatePassword, memoizeUnseal } from '../../src/server.js';

describe('memoizeUnseal', () => {
  const base = createSealer([{ id: 'k', key: Buffer.alloc(32, 3) }]);

  it('answers like the sealer, for every context, and still refuses what does not open', () => {
    const calls: string[] = [];
    const counting = {
      ...base,
      unsealText: (s: string, c?: string) => (calls.push(s), base.unsealText(s, c)),
    };
    const m = memoizeUnseal(counting, 2);
    const a = base.seal('secret-a', 'ctx-a');
    const b = base.seal('secret-b', 'ctx-b');
    expect(m.unsealText(a, 'ctx-a')).toBe('secret-a');
    expect(m.unsealText(a, 'ctx-a')).toBe('secret-a');
    expect(calls).toHaveLength(1);
    expect(() => m.unsealText(a, 'ctx-b')).toThrow('sealed value failed authentication');
    expect(m.unsealText(b, 'ctx-b')).toBe('secret-b');
    expect(() => m.unsealText(`${a.slice(0, -2)}AA`, 'ctx-a')).toThrow();
  });

  it('keeps at most its size', () => {
    const calls: string[] = [];
    const counting = {
      ...base,
      unsealText: (s: string, c?: string) => (calls.push(s), base.unsealText(s, c)),
    };
    const m = memoizeUnseal(counting, 2);
    const v = ['1', '2', '3'].map((t) => base.seal(t));
    for (const s of v) m.unsealText(s);
    m.unsealText(v[0]!);
    expect(calls).toHaveLength(4);
  });
});

describe('generatePassword', () => {
  it('has 24 characters of every class and differs every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(24);
      for (const cls of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) expect(p).toMatch(cls);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
    expect(generatePassword(32)).toHaveLength(32);
  });
});
