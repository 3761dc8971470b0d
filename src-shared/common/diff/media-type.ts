/**
 * An attached artefact's media type, guessed from its file name. Apart from artefact-diff.ts so that attaching a
 * file (`baseline capture --attach`) does not load the line-diff library.
 */

/** Guesses an artefact's media type from its file name (what the user attached). */
export function mediaTypeOf(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (['l5x', 'xml', 'tcpou', 'tcgvl', 'tcdut', 'aml'].includes(ext)) return 'application/xml';
  if (['st', 'scl', 'awl', 'txt', 'l5k'].includes(ext)) return 'text/plain';
  if (ext === 'csv') return 'text/csv';
  if (ext === 'json') return 'application/json';
  return 'application/octet-stream';
}
