/**
 * Comparing attached artefacts (vendor project exports): text and XML exports (Rockwell .L5X, Siemens Openness
 * XML, TwinCAT exports, structured text) get a line diff; binary files (.ACD, TIA archives) a hash and size
 * comparison only. Line diffing uses the `diff` package (jsdiff), pure JavaScript.
 */
import { createTwoFilesPatch, diffLines } from 'diff';

export { mediaTypeOf } from './media-type.ts';

/** Media types compared line by line. */
export function isTextArtefact(mediaType: string, name: string): boolean {
  return /^text\/|[/+]xml$|^application\/json$/.test(mediaType) || /\.(l5x|l5k|xml|st|scl|awl|txt|csv|json|tcpou|tcgvl|tcdut)$/i.test(name);
}

/** How two versions of a text artefact differ. */
export interface TextArtefactDiff {
  addedLines: number;
  removedLines: number;
  /** A unified diff (cut to `maxPatchLines`), for people to read. */
  patch: string;
  truncated: boolean;
}

/** Line diff of two texts (CRLF and LF treated alike). */
export function diffTextArtefact(name: string, before: string, after: string, maxPatchLines = 400): TextArtefactDiff {
  const a = before.replace(/\r\n/g, '\n');
  const b = after.replace(/\r\n/g, '\n');
  let addedLines = 0;
  let removedLines = 0;
  for (const part of diffLines(a, b)) {
    if (part.added) addedLines += part.count ?? 0;
    if (part.removed) removedLines += part.count ?? 0;
  }
  const full = createTwoFilesPatch(`before/${name}`, `after/${name}`, a, b, '', '', { context: 2 }).split('\n');
  return { addedLines, removedLines, patch: full.slice(0, maxPatchLines).join('\n'), truncated: full.length > maxPatchLines };
}
