/**
 * The evidence pack's container: a zip written with yazl and read with yauzl, entirely in memory.
 *
 * Reading is defensive because a pack comes from outside: entry names are checked (no `../`, no absolute or
 * drive paths, no backslashes, no duplicates) and sizes are checked from the central directory before anything is
 * inflated (per entry, in total, and by compression ratio), and yauzl stops an entry that inflates past its
 * declared size. Nothing is written to disk.
 */
import yazl from 'yazl';
import yauzl from 'yauzl';

/** Limits applied when reading a pack (generous for a 100,000-tag change, absurd for anything else). */
export const ZIP_LIMITS = {
  maxEntries: 50_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  /** Deflate rarely passes 100:1 on JSON; a larger ratio on a sizeable entry is a decompression bomb. */
  maxRatio: 200,
  ratioAppliesAbove: 1024 * 1024,
} as const;

/** One problem with the container itself, naming the entry when there is one. */
export interface ZipProblem {
  member: string;
  reason: string;
}

/** Writes members (path -> bytes) into a zip, in the order given. Deterministic timestamps keep packs comparable. */
export async function writeZip(
  members: ReadonlyArray<readonly [string, Uint8Array]>,
  mtime = new Date('2000-01-01T00:00:00Z'),
): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [path, bytes] of members) zip.addBuffer(Buffer.from(bytes), path, { mtime, mode: 0o100644 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Why an entry name may not be extracted, or null. */
export function unsafeEntryName(name: string): string | null {
  if (name === '') return 'the entry has an empty name';
  if (name.includes('\\')) return `the entry name "${name}" contains a backslash (a Windows path)`;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return `the entry name "${name}" is an absolute path`;
  if (name.split('/').includes('..')) return `the entry name "${name}" climbs out of the pack with ../`;
  if (name.includes('\0')) return `the entry name "${name}" contains a NUL character`;
  return null;
}

function openBuffer(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          stream.destroy(new Error(`inflates past ${limit} bytes`));
          return;
        }
        chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** The members of a zip, or the problems that stop it being read; container problems of single entries are listed, not thrown. */
export async function readZip(bytes: Buffer): Promise<{ members: Map<string, Buffer>; problems: ZipProblem[] }> {
  const problems: ZipProblem[] = [];
  const members = new Map<string, Buffer>();
  let zip: yauzl.ZipFile;
  try {
    zip = await openBuffer(bytes);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const why = /end of central directory/i.test(msg)
      ? 'the file is not a complete zip (truncated, or not a zip at all): its central directory is missing'
      : `the zip cannot be read: ${msg}`;
    return { members, problems: [{ member: '(pack)', reason: why }] };
  }
  if (zip.entryCount > ZIP_LIMITS.maxEntries) {
    zip.close();
    return {
      members,
      problems: [
        { member: '(pack)', reason: `the zip lists ${zip.entryCount} entries, more than the ${ZIP_LIMITS.maxEntries} a pack may hold` },
      ],
    };
  }
  let declaredTotal = 0;
  await new Promise<void>((resolve) => {
    const finish = () => {
      zip.close();
      resolve();
    };
    zip.on('error', (err: Error) => {
      problems.push({ member: '(pack)', reason: `the zip is damaged: ${err.message}` });
      finish();
    });
    zip.on('end', finish);
    zip.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const name = Buffer.from(entry.fileName as unknown as Buffer).toString('utf8');
        const next = () => zip.readEntry();
        const unsafe = unsafeEntryName(name);
        if (unsafe) {
          problems.push({ member: name, reason: unsafe });
          return next();
        }
        if (name.endsWith('/')) return next(); // a directory entry holds nothing
        if (members.has(name) || problems.some((p) => p.member === name && /twice/.test(p.reason))) {
          problems.push({ member: name, reason: `the entry "${name}" appears twice in the zip (which copy is the evidence?)` });
          members.delete(name);
          return next();
        }
        declaredTotal += entry.uncompressedSize;
        if (entry.uncompressedSize > ZIP_LIMITS.maxEntryBytes) {
          problems.push({
            member: name,
            reason: `the entry declares ${entry.uncompressedSize} bytes, more than the ${ZIP_LIMITS.maxEntryBytes} one member may hold (a decompression bomb?)`,
          });
          return next();
        }
        if (declaredTotal > ZIP_LIMITS.maxTotalBytes) {
          problems.push({
            member: name,
            reason: `the entries declare more than ${ZIP_LIMITS.maxTotalBytes} bytes in total (a decompression bomb?)`,
          });
          return next();
        }
        if (
          entry.uncompressedSize > ZIP_LIMITS.ratioAppliesAbove &&
          entry.uncompressedSize > ZIP_LIMITS.maxRatio * Math.max(1, entry.compressedSize)
        ) {
          problems.push({
            member: name,
            reason: `the entry inflates ${entry.compressedSize} bytes to ${entry.uncompressedSize} (ratio over ${ZIP_LIMITS.maxRatio}:1, a decompression bomb?)`,
          });
          return next();
        }
        if (entry.isEncrypted()) {
          problems.push({ member: name, reason: 'the entry is encrypted; a pack never is' });
          return next();
        }
        try {
          members.set(name, await readEntry(zip, entry, ZIP_LIMITS.maxEntryBytes));
        } catch (err) {
          problems.push({ member: name, reason: `the entry cannot be read: ${err instanceof Error ? err.message : String(err)}` });
        }
        next();
      })();
    });
    zip.readEntry();
  });
  return { members, problems };
}
