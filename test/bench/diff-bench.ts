// Diff benchmark (issue #4): two 100,000-tag documents with ~1% changed values, ~0.1% added and removed tags, some
// type changes and live tags; our diff engine against a generic deep-diff library (microdiff), side by side in one
// run. Target: ours under 100 ms.
// Run: node test/bench/diff-bench.ts   (or npm run bench; prints a Markdown table)
import diff from 'microdiff';
import type { DiffableDocument, DiffableValue } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, type DocumentDiff } from '../../src-shared/common/diff/document-diff.ts';

const TAGS = 100_000;
const WARM_UP = 3;
const RUNS = 9;

/** Deterministic pseudo-random numbers (mulberry32), so every run diffs the same documents. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const TYPES = ['REAL', 'DINT', 'INT', 'BOOL', 'REAL', 'LINT', 'DINT', 'REAL'] as const;

function reading(type: string, n: number): Pick<DiffableValue, 'value' | 'raw'> {
  const buf = new DataView(new ArrayBuffer(8));
  switch (type) {
    case 'REAL':
      buf.setFloat32(0, n / 8);
      return { value: Math.fround(n / 8), raw: hex(new Uint8Array(buf.buffer, 0, 4)) };
    case 'DINT':
      buf.setInt32(0, n);
      return { value: n, raw: hex(new Uint8Array(buf.buffer, 0, 4)) };
    case 'INT':
      buf.setInt16(0, n & 0x7fff);
      return { value: n & 0x7fff, raw: hex(new Uint8Array(buf.buffer, 0, 2)) };
    case 'BOOL':
      return { value: n % 2 === 1, raw: n % 2 === 1 ? '01' : '00' };
    default:
      buf.setBigInt64(0, BigInt(n) * 1_000_000_007n);
      return { value: (BigInt(n) * 1_000_000_007n).toString(), raw: hex(new Uint8Array(buf.buffer, 0, 8)) };
  }
}

type Planted = Record<'changed' | 'added' | 'removed' | 'type-changed', number>;

function documents(): { before: DiffableDocument; after: DiffableDocument; planted: { config: Planted; live: Planted } } {
  const rnd = prng(4);
  const before: DiffableValue[] = [];
  const after: DiffableValue[] = [];
  // What was planted, per class: the engine's counts must come out the same.
  const planted = {
    config: { changed: 0, added: 0, removed: 0, 'type-changed': 0 },
    live: { changed: 0, added: 0, removed: 0, 'type-changed': 0 },
  };
  for (let i = 0; i < TAGS; i++) {
    const type = TYPES[i % TYPES.length]!;
    const live = i % 10 === 9; // 10% live process values
    const b: DiffableValue = {
      tag: `Area${i % 20}.Unit${Math.floor(i / 20)}.P${i}`,
      address: `DB${1 + (i >> 12)},${type}${(i & 4095) * 8}`,
      type,
      ...reading(type, i),
      quality: 'good',
      class: live ? 'live' : 'config',
      safety: i % 97 === 0,
      writable: !live,
    };
    const r = rnd();
    const p = live ? planted.live : planted.config;
    before.push(b);
    if (r < 0.001) {
      p.removed++;
      continue;
    }
    if (r < 0.002) {
      after.push({ ...b }, { ...b, tag: `${b.tag}.New`, address: `${b.address}+` });
      p.added++;
      continue;
    }
    if (r < 0.004 && type === 'INT') {
      after.push({ ...b, type: 'DINT', ...reading('DINT', i) });
      p['type-changed']++;
      continue;
    }
    if (live ? r < 0.3 : r < 0.0125) {
      // An odd step, so BOOLs flip too: every planted change is a real change.
      after.push({ ...b, ...reading(type, i + 1 + 2 * Math.floor(r * 1000)) });
      p.changed++;
      continue;
    }
    after.push({ ...b }); // a separate object, as a second capture parsed from its own file would be
  }
  const controller = { id: 'c-1', protocol: 's7', address: '127.0.0.3:102 rack 0 slot 1', description: 'S7 127.0.0.3:102 rack 0 slot 1' };
  const identity = { module: 'CPU 1516-3 PN/DP', firmware: 'V2.9.4', serial: 'S C-X4U123456' };
  return {
    before: { controller, identity, values: before },
    after: { controller, identity: { ...identity, firmware: 'V3.0.1' }, values: after },
    planted,
  };
}

function time<T>(fn: () => T): { ms: number[]; result: T } {
  let result = fn();
  for (let i = 1; i < WARM_UP; i++) result = fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: ms.sort((a, b) => a - b), result };
}

const { before, after, planted } = documents();
const ours = time(() => diffDocuments(before, after));
const oursDiff: DocumentDiff = ours.result;
const naiveDocs = time(() => diff(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>));
const naiveKeyed = time(() => {
  // The fair generic alternative: key both sides by tag first, then deep-diff the two objects.
  const key = (d: DiffableDocument) => Object.fromEntries(d.values.map((v) => [v.tag, v]));
  return diff({ identity: before.identity, values: key(before) }, { identity: after.identity, values: key(after) });
});

const median = (ms: number[]) => ms[Math.floor(ms.length / 2)]!;
const fmt = (n: number) => n.toFixed(1);
const base = median(ours.ms);
const line = (name: string, what: string, t: { ms: number[] }, reported: string) =>
  `| ${name} | ${what} | ${fmt(median(t.ms))} | ${fmt(t.ms[0]!)} | ${fmt(t.ms[t.ms.length - 1]!)} | ${reported} | ${(median(t.ms) / base).toFixed(1)}x |`;

const c = oursDiff.counts;
console.log(`\nDiff benchmark, ${new Date().toISOString()}, Node ${process.versions.node}, ${process.platform}-${process.arch}`);
console.log(
  `${TAGS} tags per document (${before.values.length} before, ${after.values.length} after); planted (config / live): ${planted.config.changed} / ${planted.live.changed} changed, ${planted.config.added} / ${planted.live.added} added, ${planted.config.removed} / ${planted.live.removed} removed, ${planted.config['type-changed']} / ${planted.live['type-changed']} type changes; median of ${RUNS} runs after ${WARM_UP} warm-up runs\n`,
);
console.log('| implementation | what it compares | median ms | min ms | max ms | differences reported | vs ours |');
console.log('| --- | --- | ---: | ---: | ---: | --- | ---: |');
console.log(
  line(
    'Baseline diffDocuments',
    'keyed by tag, raw bytes, classes, all rows kept',
    ours,
    `${oursDiff.summary.configDifferences} config (${c.config.changed} changed, ${c.config.added} added, ${c.config.removed} removed, ${c.config['type-changed']} type), ${oursDiff.summary.liveDifferences} live, ${oursDiff.identityChanges.length} identity; ${oursDiff.rows.length} rows`,
  ),
);
console.log(line('microdiff 1.6 on the documents', 'generic, values array by index', naiveDocs, `${naiveDocs.result.length} paths`));
console.log(
  line('microdiff 1.6, values keyed by tag', 'generic, after keying both sides by tag', naiveKeyed, `${naiveKeyed.result.length} paths`),
);
const target = base < 100 ? 'met' : 'MISSED';
console.log(`\nTarget (ours under 100 ms): ${target}.`);
// Our engine's counts must be the planted ones, or the speed means nothing.
const same = (counts: typeof c.config, p: Planted) =>
  counts.changed === p.changed &&
  counts.added === p.added &&
  counts.removed === p.removed &&
  counts['type-changed'] === p['type-changed'] &&
  counts['quality-changed'] === 0;
const ok = same(c.config, planted.config) && same(c.live, planted.live);
if (!ok) {
  console.error('The diff did not find the planted differences.');
  process.exitCode = 1;
}
