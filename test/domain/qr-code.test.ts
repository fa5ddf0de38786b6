import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { qrCodePng } from '../../src/domain/qr-code.js';

// jsqr is CommonJS whose typings declare an ES default export; at run time both shapes occur.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

/** Decodes the QR code in a PNG with an independent reader. */
function readQr(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}

describe('qrCodePng', () => {
  it.each([
    'otpauth://totp/Rampart:Phone-1%401234567890123456.onaliyun.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30&digits=6&algorithm=SHA1&issuer=Rampart',
    'x',
  ])('encodes %s so that a reader gets it back', async (text) => {
    const png = await qrCodePng(text);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(readQr(png)).toBe(text);
  });
});
