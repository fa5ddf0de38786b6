/**
 * Saves bytes under a file name through a temporary object URL (no navigation, no other
 * origin). The browser reads the blob after the click returns, so the URL is revoked later:
 * revoked at once, the download can fail.
 */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
