/** Ways to alter an evidence pack the way a forger would: members changed with every hash list made to agree. */
import { createHash } from 'node:crypto';
import { readZip, writeZip } from '../../src-shared/node/evidence/pack-zip.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The members of a pack (throws when the zip has container problems). */
export async function packMembers(zip: Buffer): Promise<Map<string, Buffer>> {
  const { members, problems } = await readZip(zip);
  if (problems.length > 0) throw new Error(problems.map((p) => p.reason).join('; '));
  return members;
}

/** Rewrites manifest.json and SHA256SUMS so that every hash agrees with the (altered) members: only signatures can tell. */
export async function rezipConsistently(members: Map<string, Buffer>): Promise<Buffer> {
  const manifest = JSON.parse(members.get('manifest.json')!.toString('utf8')) as {
    members: { path: string; sha256: string; size: number }[];
  };
  manifest.members = manifest.members
    .filter((m) => members.has(m.path))
    .map((m) => ({ path: m.path, sha256: sha(members.get(m.path)!), size: members.get(m.path)!.length }));
  members.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  members.delete('SHA256SUMS');
  members.set('SHA256SUMS', Buffer.from([...members].map(([p, b]) => `${sha(b)}  ${p}\n`).join('')));
  return writeZip([...members]);
}

/** A zip whose entry names were patched after writing (yazl itself refuses unsafe names): `from` and `to` must be the same length. */
export async function zipWithPatchedName(members: ReadonlyArray<readonly [string, Uint8Array]>, from: string, to: string): Promise<Buffer> {
  if (from.length !== to.length) throw new Error('names must have the same length');
  const zip = await writeZip(members);
  const needle = Buffer.from(from);
  let at = zip.indexOf(needle);
  while (at >= 0) {
    Buffer.from(to).copy(zip, at);
    at = zip.indexOf(needle, at + 1);
  }
  return zip;
}
