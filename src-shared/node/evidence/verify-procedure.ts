/**
 * VERIFY.md: how an auditor checks a pack with `sha256sum` and `openssl` only (no Baseline, no Node). The
 * procedure's commands are one shell block, so a test can run exactly what the auditor reads.
 */
import type { PackClockFlag } from './pack-derive.ts';

/** The procedure's shell commands (POSIX sh; sha256sum, openssl, and the shell's own grep, cut, tail, cat). */
export const VERIFY_SCRIPT = `#!/bin/sh
# Run inside the unzipped pack:  sh verify.sh /path/to/your/plant-ca.pem
# Prints one line per failure and "ALL CHECKS PASSED" at the end when there is none.
CA="\${1:?give the plant CA certificate you trust (PEM) as the first argument}"
fail=0
bad() { echo "FAILED: $*"; fail=1; }

# 1. Every member against SHA256SUMS (which also covers manifest.json and report.pdf).
sha256sum -c --quiet SHA256SUMS || bad "a member's SHA-256 differs from SHA256SUMS (see above)"

# 2. Every member listed in manifest.json has the same hash in SHA256SUMS.
for h in $(grep -o '"sha256": "[0-9a-f]\\{64\\}"' manifest.json | cut -d'"' -f4); do
  grep -q "^$h  " SHA256SUMS || bad "manifest.json lists $h, which SHA256SUMS does not"
done

# 3. The device signature (Ed25519) of every journal event, and each chain link the pack holds.
for body in journal/*/*.json; do
  dev=$(basename "$(dirname "$body")")
  openssl pkeyutl -verify -pubin -inkey "pki/devices/$dev.pem" -rawin -in "$body" -sigfile "\${body%.json}.sig" >/dev/null 2>&1 \\
    || bad "device signature of $body"
  seq=$(basename "$body" .json)
  prevseq=$(printf '%08d' "$(expr "$seq" - 1)")
  if [ -f "journal/$dev/$prevseq.json" ]; then
    want=$(sha256sum "journal/$dev/$prevseq.json" | cut -d' ' -f1)
    got=$(grep -o '"prev":"[0-9a-f]\\{64\\}"' "$body" | tail -n 1 | cut -d'"' -f4)
    [ "$want" = "$got" ] || bad "chain link: $body does not follow journal/$dev/$prevseq.json"
  fi
done

# 4. Every person's signature (RSA, PKCS#1 v1.5, SHA-256): the document's hash, the signature, the certificate.
for dir in signatures/*/; do
  dir=\${dir%/}
  fp=$(grep -o '"signerFingerprint":"[0-9a-f]\\{64\\}"' "$dir/statement.json" | cut -d'"' -f4)
  cert="pki/people/$fp.pem"
  [ "$(openssl x509 -in "$cert" -outform DER | sha256sum | cut -d' ' -f1)" = "$fp" ] || bad "$cert is not the certificate $fp"
  openssl x509 -in "$cert" -pubkey -noout > "$dir.pub.tmp"
  openssl dgst -sha256 -verify "$dir.pub.tmp" -signature "$dir/signature.bin" "$dir/statement.json" >/dev/null 2>&1 || bad "signature $dir"
  rm -f "$dir.pub.tmp"
  doc=$(cat "$dir/document.path")
  want=$(grep -o '"documentSha256":"[0-9a-f]\\{64\\}"' "$dir/statement.json" | cut -d'"' -f4)
  [ "$(sha256sum "$doc" | cut -d' ' -f1)" = "$want" ] || bad "$dir signs $want, but $doc hashes differently"
  openssl verify -CAfile "$CA" "$cert" >/dev/null 2>&1 || bad "$cert does not chain to $CA (or has expired)"
  grep -q "\\"fingerprint\\": \\"$fp\\"" pki/revocations.json && bad "$cert is revoked (pki/revocations.json)"
done

[ $fail -eq 0 ] && echo "ALL CHECKS PASSED"
exit $fail
`;

/** VERIFY.md's text. */
export function verifyMarkdown(changeId: string, title: string, number?: string, clockFlags: readonly PackClockFlag[] = []): string {
  return `# Verifying this evidence pack without Baseline

Change ${number ? `${number} (id ${changeId})` : changeId}: ${title}

You need a POSIX shell with \`sha256sum\` (GNU coreutils) and \`openssl\` (1.1.1 or 3.x), the pack unzipped
into a folder, and the plant CA certificate you trust, obtained from the plant, **not** from this pack (the pack's
own copy is \`pki/ca/*.pem\`: compare its fingerprint with the plant's:
\`openssl x509 -in pki/ca/*.pem -outform DER | sha256sum\`).

## What the pack holds

- \`journal/<device>/<seq>.json\`: each journal event exactly as its device hashed and signed it (RFC 8785 canonical
  JSON); its SHA-256 is the event's hash, and \`<seq>.sig\` is the device's raw Ed25519 signature over the file.
  The next event's \`prev\` field is this file's SHA-256. \`journal/index.json\` says why each event is included.
- \`pki/devices/<device>.pem\`: the device's public key, as its first event (\`device.created\`, seq 1) announced it.
- \`signatures/<n>-<meaning>/\`: each person's e-signature: \`statement.json\` (what was signed: the document's
  SHA-256, the meaning, the time, the signer's certificate fingerprint), \`signature.bin\` (RSA PKCS#1 v1.5 over
  SHA-256 of \`statement.json\`), and \`document.path\` naming the member whose SHA-256 the statement gives.
  \`signatures/index.json\` lists them with the printed name, the meaning and the record each comes from.
- \`pki/people/<fingerprint>.pem\`: the signers' certificates; \`pki/revocations.json\`: revocations in force.
- \`clock/flags.json\`: events of this pack whose device time the central server found implausible when the laptop
  synced (its clock was off beyond the policy's limit, set back, or ahead of the server's), each from a statement the
  plant CA signed, in \`clock/attestations/<id>.json\` (\`statement\`, and \`signature\`: RSA PKCS#1 v1.5 over its
  SHA-256, base64). The event keeps the time its laptop signed; the flag says how far to trust it.
  \`baseline verify\` checks each statement's CA signature.
- Restores of a rolled-back change, value by value: \`restore.authorized\` (the shift supervisor's signed decision:
  exactly these values, in this order), \`restore.started\`, one \`restore.written\` per value as it was written and
  read back (\`expectedRaw\`: the bytes written, \`readBackRaw\`: what the controller held afterwards), the outcome
  (\`restore.executed\`) and the controller read again against the before-snapshot (\`restore.verified\`).
- \`snapshots/\`, \`captures/\`, \`artefacts/\`, \`diffs/\`, \`policy/\`, \`crosswalk.json\`, \`report.pdf\`.
- \`manifest.json\` lists every member except itself, \`report.pdf\` and \`SHA256SUMS\`; \`report.pdf\` prints the
  SHA-256 of \`manifest.json\` on every page; \`SHA256SUMS\` holds the SHA-256 of every member, \`manifest.json\` and
  \`report.pdf\` included.

## The procedure

The same commands are in \`verify.sh\` (\`sh verify.sh plant-ca.pem\`). Run them inside the unzipped pack:

\`\`\`sh
${VERIFY_SCRIPT.split('\n')
  .filter((l) => !l.startsWith('#!'))
  .join('\n')
  .trim()}
\`\`\`

Then compare the SHA-256 of \`manifest.json\` (\`sha256sum manifest.json\`) with the one printed at the foot of every
page of \`report.pdf\`.

What these commands do not check, and \`baseline verify\` does: that each change decision's document
(\`signatures/*/document.json\`) is rebuilt correctly from the previous journal event, that each certificate was
valid at the signing time, the diffs recomputed from the snapshots, and the policy rules (approvals and quorum,
segregation of duties, checkpoints in order by allowed people, snapshots, window), each restored value against the
supervisor's signed decision and the restore's outcome, the plant CA's signature on each clock flag, the role of
each event in \`journal/index.json\`, and that \`report.pdf\` and this file are exactly what Baseline renders from the
signed members (\`SHA256SUMS\` and \`manifest.json\` are signed by no one: a report rendered again with other words,
listed in a rewritten \`SHA256SUMS\`, passes the commands above; \`baseline verify\` renders both again and compares).

## Clock flags

${clockFlags.length === 0 ? 'None: the central server flagged no event of this pack for an implausible device time.' : clockFlags.map((f) => `- \`journal/${f.device}/${String(f.seq).padStart(8, '0')}.json\`: ${f.words} (statement in \`${f.attestation.member}\`)`).join('\n')}
`;
}
