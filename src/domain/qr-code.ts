/** A PNG image of a QR code holding `text` (error correction M, four-module quiet zone). */
export async function qrCodePng(text: string): Promise<Buffer> {
  // Loaded on first use, like the other libraries only some requests need.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 });
}
