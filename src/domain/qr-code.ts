/** A QR code of text as a PNG image. Placeholder until the encoder lands: an empty buffer. */
export function qrCodePng(_text: string): Buffer {
  return Buffer.alloc(0);
}
