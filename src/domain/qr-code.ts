import QRCode from 'qrcode';

/** A PNG image of a QR code holding `text` (error correction M, four-module quiet zone). */
export function qrCodePng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 });
}
