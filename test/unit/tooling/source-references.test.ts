import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Product text, comments, docs and tests name a source document by its title or the rule they take from it
// (docs/references.md), never by the file number it has in the founders' collection: readers do not have those files.
const FILE_NUMBER = /\bseeds?[ _-]?#?0[0-9]{2}\b/i;
const ROOTS = ['README.md', 'docs', 'src-main', 'src-renderer', 'src-shared', 'src-server', 'resources', 'test', 'scripts', 'bin'];

function files(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return [];
  }
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !/\.(png|jpe?g|ico|p12|der|bin|acd)$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('references to source documents', () => {
  it('the check sees a file number when there is one', () => {
    // (Built from parts, so that this file itself holds no citation by number.)
    const word = 'seed';
    expect(FILE_NUMBER.test(`the 24-line example of ${word} 004`)).toBe(true);
    expect(FILE_NUMBER.test(`${word.replace('s', 'S')} 000's four checkpoints`)).toBe(true);
    expect(FILE_NUMBER.test(`${word}s 000/002`)).toBe(true);
    expect(FILE_NUMBER.test(`${word}_003.txt`)).toBe(true);
    expect(FILE_NUMBER.test('the four go/no-go checkpoints of the change guide')).toBe(false);
  });

  it('no product text, doc, resource or test cites a source document by file number', () => {
    const hits: string[] = [];
    for (const file of ROOTS.flatMap(files)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FILE_NUMBER.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('docs/references.md lists the source documents by title', () => {
    const refs = readFileSync('docs/references.md', 'utf8');
    for (const title of [
      'OT Change Management and PAM Integration',
      'What makes OT change different from IT change',
      'Change Management Procedures',
      'Advanced Change Management Standards',
      'CC8: Change Management',
    ]) {
      expect(refs).toContain(`*${title}*`);
    }
  });
});
