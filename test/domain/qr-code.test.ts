import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatBits, qrCodePng, qrMatrix, reedSolomon, versionBits } from '../../src/domain/qr-code.js';

/** Reads back the bytes of a byte-mode, level-M QR matrix (no error correction; versions 1..10). */
function readBack(m: boolean[][]): string {
  const size = m.length;
  const version = (size - 17) / 4;
  // Format bits, second copy, then mask.
  let bits = 0;
  for (let i = 0; i < 8; i++) bits |= (m[8]![size - 1 - i] ? 1 : 0) << i;
  for (let i = 8; i < 15; i++) bits |= (m[size - 15 + i]![8] ? 1 : 0) << i;
  const mask = ((bits ^ 0x5412) >>> 10) & 7;
  expect((bits ^ 0x5412) >>> 13).toBe(0); // level M
  // Function modules of this size: rebuilt from the spec, independently of the encoder.
  const fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const mark = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < size && y < size) fn[y]![x] = true;
  };
  for (let i = 0; i < size; i++) {
    mark(6, i);
    mark(i, 6);
  }
  for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) mark(x, y);
  for (let y = 0; y < 9; y++) for (let x = size - 8; x < size; x++) mark(x, y);
  for (let y = size - 8; y < size; y++) for (let x = 0; x < 9; x++) mark(x, y);
  const centres: Record<number, number[]> = {
    1: [],
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
    7: [6, 22, 38],
    8: [6, 24, 42],
    9: [6, 26, 46],
    10: [6, 28, 50],
  };
  const al = centres[version]!;
  for (const cy of al) {
    for (const cx of al) {
      if ((cx === 6 && cy === 6) || (cx === 6 && cy === al.at(-1)) || (cy === 6 && cx === al.at(-1)))
        continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) mark(cx + dx, cy + dy);
    }
  }
  if (version >= 7) {
    for (let a = size - 11; a < size - 8; a++) {
      for (let b = 0; b < 6; b++) {
        mark(a, b);
        mark(b, a);
      }
    }
  }
  const masks = [
    (x: number, y: number) => (x + y) % 2 === 0,
    (_x: number, y: number) => y % 2 === 0,
    (x: number) => x % 3 === 0,
    (x: number, y: number) => (x + y) % 3 === 0,
    (x: number, y: number) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x: number, y: number) => ((x * y) % 2) + ((x * y) % 3) === 0,
    (x: number, y: number) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
    (x: number, y: number) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
  ];
  const stream: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (!fn[y]![x]) stream.push(m[y]![x] !== masks[mask]!(x, y) ? 1 : 0);
      }
    }
  }
  const blocksByVersion: Record<number, number[]> = {
    1: [16],
    2: [28],
    3: [44],
    4: [32, 32],
    5: [43, 43],
    6: [27, 27, 27, 27],
    7: [31, 31, 31, 31],
    8: [38, 38, 39, 39],
    9: [36, 36, 36, 37, 37],
    10: [43, 43, 43, 43, 44],
  };
  const blocks = blocksByVersion[version]!;
  const cw: number[] = [];
  for (let i = 0; i + 8 <= stream.length; i += 8)
    cw.push(stream.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  const data: number[][] = blocks.map(() => []);
  let k = 0;
  for (let i = 0; i < Math.max(...blocks); i++)
    for (let b = 0; b < blocks.length; b++) if (i < blocks[b]!) data[b]!.push(cw[k++]!);
  const flat = data.flat();
  const bitsOf = flat.flatMap((b) => [7, 6, 5, 4, 3, 2, 1, 0].map((s) => (b >>> s) & 1));
  const take = (n: number) => bitsOf.splice(0, n).reduce((a, b) => (a << 1) | b, 0);
  expect(take(4)).toBe(0b0100);
  const len = take(version < 10 ? 8 : 16);
  return Buffer.from(Array.from({ length: len }, () => take(8))).toString('utf8');
}

describe('QR code', () => {
  it('computes Reed-Solomon codewords (ISO 18004 annex I example, 1-M)', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(reedSolomon(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('computes format and version information', () => {
    expect(formatBits(0).toString(2).padStart(15, '0')).toBe('101010000010010');
    expect(formatBits(5).toString(2).padStart(15, '0')).toBe('100000011001110');
    expect(versionBits(7).toString(2).padStart(18, '0')).toBe('000111110010010100');
  });

  const texts = [
    'a',
    'otpauth://totp/dev%40acme.onaliyun.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Rampart',
    'x'.repeat(150),
    'é'.repeat(100),
  ];
  it.each(texts)('encodes %j so that it reads back', (text) => {
    const m = qrMatrix(text);
    expect(readBack(m)).toBe(text);
    // Finder patterns in three corners.
    for (const [x0, y0] of [
      [0, 0],
      [m.length - 7, 0],
      [0, m.length - 7],
    ]) {
      expect(m[y0!]!.slice(x0, x0! + 7)).toEqual([true, true, true, true, true, true, true]);
      expect(m[y0! + 1]!.slice(x0, x0! + 7)).toEqual([true, false, false, false, false, false, true]);
    }
  });

  it('refuses text beyond version 10', () => {
    expect(() => qrMatrix('x'.repeat(214))).toThrow('text too long');
  });

  it('writes a PNG of the matrix with a quiet zone', () => {
    const text = 'otpauth://totp/x?secret=ABC';
    const png = qrCodePng(text, 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const m = qrMatrix(text);
    const px = (m.length + 8) * 2;
    expect(png.readUInt32BE(16)).toBe(px);
    expect(png.readUInt32BE(20)).toBe(px);
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(px * (px + 1));
    const pixel = (x: number, y: number) => raw[y * (px + 1) + 1 + x];
    expect(pixel(0, 0)).toBe(255); // quiet zone
    expect(pixel(8, 8)).toBe(0); // top-left module of the finder
    expect(pixel(8 + 2, 8 + 2)).toBe(m[1]![1] ? 0 : 255);
  });
});
