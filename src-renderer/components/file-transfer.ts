/**
 * Files in and out of the page: a download saved through the browser (no navigation; the page's CSP allows blob
 * downloads) and a chosen file read as base64 for the main process. The browser encodes and decodes base64; nothing
 * here is a hand-written encoder.
 */

/** Saves bytes or text as a download (the browser's or Electron's save dialog). */
export function saveBlob(fileName: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves text as a CSV file. */
export function downloadCsv(fileName: string, csv: string): void {
  saveBlob(fileName, csv, 'text/csv;charset=utf-8');
}

/** Saves bytes the main process sent as base64. */
export function saveDownload(base64: string, fileName: string, type = 'application/octet-stream'): void {
  saveBlob(fileName, bytesOf(base64), type);
}

/** Base64 text as bytes. */
function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** A chosen file's bytes as base64; a file that cannot be read is an error naming it. */
export function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(new Error(`${file.name} could not be read (${reader.error?.message ?? 'unknown reason'}).`));
    reader.readAsDataURL(file);
  });
}
