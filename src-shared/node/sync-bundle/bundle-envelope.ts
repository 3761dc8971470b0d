/**
 * Sync bundles: the same events and blobs as online sync, carried as one file on removable media between an
 * air-gapped laptop and the central server.
 *
 * A bundle is a zip (yazl/yauzl, the evidence pack's container code) holding `manifest.json` (who wrote it, for
 * whom, what it covers, and every member with its SHA-256), `manifest.sig` (the writer's signature over the
 * manifest's exact bytes: a laptop signs with its Ed25519 device key, the server with its bundle key issued by
 * the plant CA) and the members. The whole zip is encrypted to the recipient's certificate as CMS (PKCS#7)
 * EnvelopedData by node-forge: AES-256-CBC content, the content key wrapped with RSA for each recipient. A lost
 * stick discloses nothing; `openssl cms -decrypt -inform DER` reads the same file.
 *
 * Opening checks, in order: the envelope parses (else truncated), it names this recipient (else encrypted to
 * someone else), it decrypts, the zip reads, the manifest parses, and every member hashes as listed (else the
 * refusal names the member). The caller then checks the signature and the content.
 */
import forge from 'node-forge';
import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { BaselineError } from '../../common/errors.ts';
import { readZip, writeZip } from '../evidence/pack-zip.ts';

/** Manifest format; a different major version is refused. */
export const BUNDLE_FORMAT = 'baseline.sync-bundle/1';
/** File name suffix bundles get by default. */
export const BUNDLE_SUFFIX = '.baseline-bundle';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** What a laptop's bundle covers (the same range a push would). */
export const DeviceRangeSchema = z
  .object({
    firstSeq: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    head: z.object({ seq: z.number().int().nonnegative(), hash: z.string().nullable() }).strict(),
    deviceTime: z.string(),
    /** Where this laptop's pull stands, so the server can answer with what online pull would give. */
    pullCursor: z.number().int().nonnegative(),
    /** The laptop's bundle-encryption certificate: the server encrypts its bundles to this laptop with it. */
    recipientCertificatePem: z.string().startsWith('-----BEGIN CERTIFICATE-----'),
    /** Written as an evidence backup rather than for the server (restore reads both). */
    backup: z.boolean(),
  })
  .strict();

/** What a server bundle covers (the same range an online pull would). */
export const ServerRangeSchema = z
  .object({
    after: z.number().int().nonnegative(),
    cursor: z.number().int().nonnegative(),
    acknowledgedSeq: z.number().int().nonnegative(),
    acknowledgedHash: z.string().nullable(),
  })
  .strict();

/** The signed manifest. */
export const BundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    bundleId: z.string().min(1).max(100),
    createdAt: z.string(),
    plantCaFingerprint: Sha256,
    from: z.object({ kind: z.enum(['device', 'server']), id: z.string().min(1).max(100) }).strict(),
    to: z.object({ kind: z.enum(['device', 'server']), id: z.string().min(1).max(100) }).strict(),
    /** The writer's certificate (a device certificate, or the server's bundle certificate). */
    signerCertificatePem: z.string(),
    device: DeviceRangeSchema.optional(),
    server: ServerRangeSchema.optional(),
    members: z
      .array(z.object({ name: z.string().min(1).max(200), sha256: Sha256, size: z.number().int().nonnegative() }).strict())
      .max(200_000),
  })
  .strict();
/** The signed manifest. */
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** An opened bundle: the manifest as signed, its signature, and the members (hashes already checked). */
export interface OpenedBundle {
  manifest: BundleManifest;
  manifestText: string;
  signature: string;
  members: Map<string, Buffer>;
}

/** A recipient's key pair for bundles (RSA, since CMS key transport wraps the content key with it). */
export interface BundleKeyPair {
  certPem: string;
  keyPem: string;
}

function fail(code: string, message: string, hint: string, details?: Record<string, unknown>): never {
  throw new BaselineError(code, message, hint, details);
}

/** A new RSA key and a certificate for it: signed by `issuer` (a plant CA) or self-signed. */
export function createBundleKeyPair(
  subject: { commonName: string; unit: string },
  issuer: BundleKeyPair | null,
  years = 10,
  now = new Date(),
): BundleKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  const subjectAttrs = [
    { name: 'commonName', value: subject.commonName },
    { name: 'organizationalUnitName', value: subject.unit },
  ];
  cert.setSubject(subjectAttrs);
  const issuerCert = issuer ? forge.pki.certificateFromPem(issuer.certPem) : null;
  cert.validity.notAfter = new Date(
    Math.min(now.getTime() + years * 365.25 * 86_400_000, issuerCert?.validity.notAfter.getTime() ?? Infinity),
  );
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subjectAttrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(issuer ? issuer.keyPem : keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem };
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Who a certificate names, for messages ("CN=…, serial …"). */
function certificateWords(certPem: string): string {
  try {
    const c = new X509Certificate(certPem);
    return `"${c.subject.replace(/\n/g, ', ')}" (serial ${c.serialNumber.toLowerCase()})`;
  } catch {
    return 'an unreadable certificate';
  }
}

/**
 * Writes a bundle: the manifest (members and their hashes added here), its signature by `sign`, the members,
 * zipped and encrypted to every recipient certificate.
 */
export async function sealBundle(
  manifest: Omit<BundleManifest, 'members' | 'format'>,
  members: ReadonlyArray<readonly [string, Buffer]>,
  sign: (text: string) => string,
  recipientCertPems: readonly string[],
): Promise<{ bytes: Buffer; manifest: BundleManifest }> {
  const full: BundleManifest = {
    format: BUNDLE_FORMAT,
    ...manifest,
    members: members.map(([name, b]) => ({ name, sha256: sha256(b), size: b.length })),
  };
  const manifestText = JSON.stringify(full, null, 1);
  const zip = await writeZip([['manifest.json', Buffer.from(manifestText)], ['manifest.sig', Buffer.from(sign(manifestText))], ...members]);
  const p7 = forge.pkcs7.createEnvelopedData();
  for (const pem of recipientCertPems) p7.addRecipient(forge.pki.certificateFromPem(pem));
  p7.content = forge.util.createBuffer(zip.toString('binary'));
  p7.encrypt(undefined, forge.pki.oids['aes256-CBC']);
  return { bytes: Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary'), manifest: full };
}

/** Opens a bundle with one of `keys` (the first that it is encrypted to) and checks every member against the manifest. */
export async function openBundle(bytes: Buffer, keys: readonly BundleKeyPair[], what = 'bundle'): Promise<OpenedBundle> {
  if (bytes.length === 0)
    fail('bundle-truncated', `The ${what} file is empty.`, 'Copy the file from the removable drive again; it was not written completely.');
  let msg: forge.pkcs7.PkcsEnvelopedData;
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')), true);
    msg = forge.pkcs7.messageFromAsn1(asn) as forge.pkcs7.PkcsEnvelopedData;
    if (!('recipients' in msg) || !Array.isArray((msg as { recipients?: unknown }).recipients)) throw new Error('not enveloped data');
  } catch (err) {
    const m = err instanceof Error ? err.message : String(err);
    if (/too few bytes|not enough|unexpected end/i.test(m)) {
      fail(
        'bundle-truncated',
        `The ${what} file ends early (${bytes.length} bytes): it was cut off while being written or copied.`,
        'Copy the file from the removable drive again, or write a new bundle; nothing was imported.',
        { member: '(envelope)', size: bytes.length },
      );
    }
    fail(
      'bundle-unreadable',
      `The file is not a Baseline ${what} (no CMS enveloped data: ${m}).`,
      'Choose a file written by `baseline sync export` or `baseline server export`; nothing was imported.',
      { member: '(envelope)' },
    );
  }
  type Recipient = { issuer: { shortName?: string; name?: string; value: string }[]; serialNumber: string };
  const recipients = (msg as unknown as { recipients: Recipient[] }).recipients;
  for (const k of keys) {
    const cert = forge.pki.certificateFromPem(k.certPem);
    const r = msg.findRecipient(cert);
    if (!r) continue;
    try {
      msg.decrypt(r, forge.pki.privateKeyFromPem(k.keyPem));
    } catch (err) {
      fail(
        'bundle-altered',
        `The ${what} does not decrypt: its encrypted content was altered or damaged (member (envelope)).`,
        'Copy the file again from the drive, or write a new bundle; nothing was imported.',
        { member: '(envelope)', reason: err instanceof Error ? err.message : String(err) },
      );
    }
    const content = (msg as unknown as { content?: forge.util.ByteStringBuffer }).content;
    if (!content)
      fail('bundle-altered', `The ${what} decrypted to nothing (member (envelope)).`, 'Write a new bundle; nothing was imported.', {
        member: '(envelope)',
      });
    return readBundleZip(Buffer.from(content.getBytes(), 'binary'), what);
  }
  const named = recipients
    .map((r) => `${r.issuer.map((a) => `${a.shortName ?? a.name ?? '?'}=${a.value}`).join(', ')} serial ${r.serialNumber}`)
    .join('; ');
  fail(
    'bundle-not-for-you',
    `This ${what} is encrypted to someone else (recipient: ${named || 'none named'}), not to ${keys.map((k) => certificateWords(k.certPem)).join(' or ')}.`,
    "Import it where it was written for: a laptop's bundle on its own plant's server, a server's bundle on the laptop it names. Nothing was imported.",
    { recipients: named },
  );
}

async function readBundleZip(zip: Buffer, what: string): Promise<OpenedBundle> {
  const { members, problems } = await readZip(zip);
  const first = problems[0];
  if (first) {
    fail(
      'bundle-altered',
      `The ${what} is damaged in member ${first.member}: ${first.reason}.`,
      'The file was altered or damaged after it was written; copy it again or write a new bundle. Nothing was imported.',
      { member: first.member, problems },
    );
  }
  const manifestBytes = members.get('manifest.json');
  const sig = members.get('manifest.sig');
  if (!manifestBytes || !sig) {
    const member = manifestBytes ? 'manifest.sig' : 'manifest.json';
    fail('bundle-altered', `The ${what} has no ${member}.`, 'Write a new bundle with Baseline; nothing was imported.', { member });
  }
  const manifestText = manifestBytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestText);
  } catch {
    fail('bundle-altered', `The ${what}'s member manifest.json is not JSON: it was altered.`, 'Write a new bundle; nothing was imported.', {
      member: 'manifest.json',
    });
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format !== BUNDLE_FORMAT) {
    fail(
      'bundle-format-unknown',
      `The ${what} is in format ${format}; this Baseline reads ${BUNDLE_FORMAT}.`,
      'Update Baseline on this side (or the other) so both read the same bundle format.',
      { member: 'manifest.json' },
    );
  }
  const r = BundleManifestSchema.safeParse(parsed);
  if (!r.success) {
    fail(
      'bundle-altered',
      `The ${what}'s member manifest.json does not describe a bundle (${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}).`,
      'Write a new bundle with Baseline; nothing was imported.',
      { member: 'manifest.json' },
    );
  }
  const manifest = r.data;
  const listed = new Set<string>(['manifest.json', 'manifest.sig']);
  for (const m of manifest.members) {
    listed.add(m.name);
    const b = members.get(m.name);
    if (!b)
      fail(
        'bundle-altered',
        `The ${what} lacks member ${m.name}, which its manifest lists.`,
        'The file was altered; write a new bundle. Nothing was imported.',
        { member: m.name },
      );
    if (b.length !== m.size || sha256(b) !== m.sha256) {
      fail(
        'bundle-altered',
        `The ${what}'s member ${m.name} does not match the hash its signed manifest lists: it was altered after the bundle was written.`,
        'Copy the file again from the drive, or write a new bundle; nothing was imported.',
        { member: m.name, expected: m.sha256, got: sha256(b) },
      );
    }
  }
  for (const name of members.keys()) {
    if (!listed.has(name))
      fail(
        'bundle-altered',
        `The ${what} holds member ${name}, which its signed manifest does not list: something was added.`,
        'Write a new bundle; nothing was imported.',
        { member: name },
      );
  }
  return { manifest, manifestText, signature: sig.toString('utf8'), members };
}

/** The JSON member of an opened bundle, parsed with a schema; a mismatch names the member. */
export function bundleJson<S extends z.ZodType>(bundle: OpenedBundle, name: string, schema: S): z.output<S> {
  const b = bundle.members.get(name);
  if (!b) fail('bundle-altered', `The bundle lacks member ${name}.`, 'Write a new bundle; nothing was imported.', { member: name });
  let parsed: unknown;
  try {
    parsed = JSON.parse(b.toString('utf8'));
  } catch {
    fail('bundle-altered', `The bundle's member ${name} is not JSON.`, 'Write a new bundle; nothing was imported.', { member: name });
  }
  const r = schema.safeParse(parsed);
  if (!r.success)
    fail(
      'bundle-altered',
      `The bundle's member ${name} is not what a bundle holds (${r.error.issues[0]?.message ?? 'invalid'}).`,
      'Write a new bundle; nothing was imported.',
      { member: name },
    );
  return r.data;
}
