/**
 * The S7 capture planner: reads whole byte ranges per data block or area (decoded locally, as the issue asks)
 * and packs them, as items, into the fewest Read Var requests the negotiated PDU and the item limit allow.
 *
 * Framing (S7comm "Read Var", function 0x04, over ISO-on-TCP; layouts as in the Wireshark S7comm dissector and
 * Snap7, and the same arithmetic nodes7 uses in `prepareReadPacket`). The PDU size counts the S7 PDU only
 * (TPKT and COTP headers are outside it):
 * - request: 10-byte S7 header (protocol id 0x32, ROSCTR 1 = job, redundancy id, PDU reference, parameter length,
 *   data length) + 2-byte parameter header (function 0x04, item count) + 12 bytes per item (0x12, length 0x0A,
 *   syntax id 0x10, transport size, count (2), DB number (2), area (1), bit address (3));
 * - reply: 12-byte S7 header (ROSCTR 3 = ack-data adds error class and code) + 2-byte parameter header + per item
 *   a 4-byte data header (return code, transport size, length (2)) and the data, plus a fill byte after odd-length
 *   data. The fill byte is omitted after the last item on the wire; the planner counts it always (never too much).
 * So one item carries at most pduSize - 18 bytes (222 with the S7-300's 240-byte PDU), and a request carries at most
 * min(maxItems, floor((pduSize - 12) / 12)) items (19 at 240 bytes; the issue's "~20 items" Siemens limit).
 *
 * Algorithm. Per area/DB, the tags' bytes form segments separated by unused gaps. Reading a gap of g bytes costs
 * g reply bytes; leaving it costs an extra item (4 reply bytes, 12 request bytes, one of the item slots). For any
 * plan, if k gaps are left open the reply must carry at least U + (the other gaps' bytes) + 4 * (groups + k)
 * bytes (plus the request bound from the item limit), so the cheapest way to leave k gaps open is to leave the k
 * largest; `s7MinimumRequests` minimises the resulting lower bound over k. The bound ignores items split across
 * requests, holes no piece fits and requests closed by the item limit, so its own k is not always the best one to
 * pack: the planner packs the bound's k and a spread of other k with two packers and keeps the plan with the
 * fewest requests. Packer 1 (next fit in address order) fills each request to the PDU, splitting a range between
 * two tags when the rest does not fit; it suits long ranges. Packer 2 (first fit decreasing) keeps ranges whole
 * (cut only where one exceeds an item) and lets small ranges fill the holes large ones leave; it suits many short
 * ranges. Neither ever cuts inside a tag, so no value is torn between two reads; a tag larger than one item, such
 * as STRING[254] at PDU 240, is the only exception and has more than one piece. Each packing is O(n log n), so the
 * search stays in tens of milliseconds for 10,000 tags. On realistic layouts the result is within a few percent
 * of the bound (the 10,000-tag test measures it; on small inputs a brute-force test compares it with the exact
 * minimum); `provenOptimal` says when the plan meets the bound exactly, and nothing more is claimed.
 */
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { S7_AREA_CODES, type S7Address, type S7Area } from '../../../src-shared/common/profile/s7-address.ts';
import { checkLimit, checkUniqueTags, type PlannedTag, type PlanSummary } from '../planned-tag.ts';

/** The sizes an S7 plan must respect. */
export interface S7Limits {
  /** The PDU size negotiated at connection (240 on S7-300, 480 on S7-400, 960 on S7-1200/1500). */
  pduSize: number;
  /** Items per Read Var request (default 20, the limit the issue names; the PDU may allow fewer). */
  maxItems: number;
  /** Unused bytes a single item may span between tags; null lets the planner choose by cost. */
  maxGap: number | null;
}

/** Default S7 limits: the smallest common PDU, 20 items, gaps chosen by cost. */
export const S7_DEFAULT_LIMITS: S7Limits = { pduSize: 240, maxItems: 20, maxGap: null };

/** Byte counts of the S7comm Read Var framing the planner uses (see the module comment). */
export const S7_FRAMING = {
  requestHeader: 10,
  requestParameterHeader: 2,
  requestItem: 12,
  replyHeader: 12,
  replyParameterHeader: 2,
  replyItemHeader: 4,
} as const;

const REQUEST_FIXED = S7_FRAMING.requestHeader + S7_FRAMING.requestParameterHeader; // 12
const REPLY_FIXED = S7_FRAMING.replyHeader + S7_FRAMING.replyParameterHeader; // 14
const ITEM_HEADER = S7_FRAMING.replyItemHeader; // 4

/** Where some or all of one tag's bytes sit in one item of one request. */
export interface S7TagPiece {
  /** Index of the request in `plan.reads`. */
  read: number;
  /** Index of the item in that request. */
  item: number;
  /** Offset of the piece in the item's data. */
  itemOffset: number;
  /** Offset of the piece in the tag's own bytes (0 unless the tag is split). */
  tagOffset: number;
  length: number;
}

/** One item of a Read Var request: a byte range of one area/DB, and the tag bytes in it. */
export interface S7ReadItem {
  area: S7Area;
  /** S7 area code on the wire (0x84 DB, 0x81 I, 0x82 Q, 0x83 M). */
  areaCode: number;
  db: number;
  start: number;
  length: number;
  tags: { tag: string; itemOffset: number; tagOffset: number; length: number }[];
}

/** One Read Var request and its sizes as counted by the planner. */
export interface S7Read {
  items: S7ReadItem[];
  requestBytes: number;
  replyBytes: number;
}

/** Where a tag's bytes are, for decoding after the reads. */
export interface S7TagLocation {
  tag: string;
  location: S7Address;
  /** Usually one piece; more only for a tag larger than one item. */
  pieces: S7TagPiece[];
}

/** An S7 capture plan. */
export interface S7Plan extends PlanSummary {
  protocol: 's7';
  limits: S7Limits;
  reads: S7Read[];
  tags: S7TagLocation[];
}

/** Fills in and checks S7 limits; throws BaselineError for sizes that cannot work. */
export function resolveS7Limits(limits: Partial<S7Limits> = {}): S7Limits {
  const l = { ...S7_DEFAULT_LIMITS, ...limits };
  checkLimit('pduSize', l.pduSize, 32, 65535);
  checkLimit('maxItems', l.maxItems, 1, 255);
  if (l.maxGap !== null) checkLimit('maxGap', l.maxGap, 0, 2 ** 21);
  return l;
}

/** Most data bytes one item can carry (pduSize - 18, even so that no fill byte is needed). */
export function s7MaxItemBytes(pduSize: number): number {
  const n = pduSize - REPLY_FIXED - ITEM_HEADER;
  return n - (n % 2);
}

/** Most items one request can carry: the configured limit or what fits in the request PDU, whichever is less. */
export function s7MaxItemsPerRequest(limits: S7Limits): number {
  return Math.min(limits.maxItems, Math.floor((limits.pduSize - REQUEST_FIXED) / S7_FRAMING.requestItem));
}

interface Atom {
  start: number;
  end: number;
  tags: PlannedTag<S7Address>[];
}

interface Gap {
  group: number;
  after: number; // index of the atom before the gap
  bytes: number;
}

interface Layout {
  groups: { area: S7Area; db: number; atoms: Atom[] }[];
  gaps: Gap[];
  usedBytes: number;
}

// Groups tags by area/DB and splits each group into atoms: maximal runs of overlapping tags (never cut inside).
function layout(tags: readonly PlannedTag<S7Address>[]): Layout {
  const byKey = new Map<string, PlannedTag<S7Address>[]>();
  for (const t of tags) {
    const key = `${S7_AREA_CODES[t.location.area]}:${t.location.db}`;
    const list = byKey.get(key) ?? [];
    list.push(t);
    byKey.set(key, list);
  }
  const keys = [...byKey.keys()].sort((a, b) => {
    const [aa = 0, ad = 0] = a.split(':').map(Number);
    const [ba = 0, bd = 0] = b.split(':').map(Number);
    return aa - ba || ad - bd;
  });
  const groups: Layout['groups'] = [];
  const gaps: Gap[] = [];
  let usedBytes = 0;
  for (const key of keys) {
    const list = (byKey.get(key) ?? []).sort((a, b) => a.location.start - b.location.start || a.location.length - b.location.length);
    const first = list[0];
    if (first === undefined) continue;
    const atoms: Atom[] = [];
    for (const t of list) {
      const end = t.location.start + t.location.length;
      const last = atoms[atoms.length - 1];
      if (last !== undefined && t.location.start < last.end) {
        last.end = Math.max(last.end, end);
        last.tags.push(t);
      } else {
        atoms.push({ start: t.location.start, end, tags: [t] });
      }
    }
    atoms.forEach((a, i) => {
      usedBytes += a.end - a.start;
      const next = atoms[i + 1];
      if (next !== undefined && next.start > a.end) gaps.push({ group: groups.length, after: i, bytes: next.start - a.end });
    });
    groups.push({ area: first.location.area, db: first.location.db, atoms });
  }
  return { groups, gaps, usedBytes };
}

interface Bound {
  minimumRequests: number;
  /** Gaps that must stay open (larger than maxGap), then the others largest first: leaving k open opens the first k. */
  mandatory: Gap[];
  optional: Gap[];
  /** The k whose bound is the minimum. */
  bestK: number;
}

// The lower bound of the module comment: for each k, the bound of plans leaving open the mandatory gaps and the k
// largest others; the minimum over k bounds every plan.
function bound(l: Layout, limits: S7Limits): Bound {
  const maxItems = s7MaxItemsPerRequest(limits);
  const payload = limits.pduSize - REPLY_FIXED; // reply bytes for item headers and data
  const mandatory = l.gaps.filter((g) => limits.maxGap !== null && g.bytes > limits.maxGap);
  const optional = l.gaps
    .filter((g) => limits.maxGap === null || g.bytes <= limits.maxGap)
    .sort((a, b) => b.bytes - a.bytes || a.group - b.group || a.after - b.after);
  let bridged = optional.reduce((s, g) => s + g.bytes, 0);
  let best = { k: 0, estimate: Infinity, cost: Infinity };
  for (let k = 0; k <= optional.length; k++) {
    if (k > 0) bridged -= optional[k - 1]?.bytes ?? 0;
    const items = l.groups.length + mandatory.length + k;
    const data = l.usedBytes + bridged;
    const estimate = Math.max(
      Math.ceil((data + ITEM_HEADER * items) / payload),
      Math.ceil(data / (payload - ITEM_HEADER)),
      Math.ceil(items / maxItems),
    );
    const cost = data + ITEM_HEADER * items;
    if (estimate < best.estimate || (estimate === best.estimate && cost <= best.cost)) best = { k, estimate, cost };
  }
  return { minimumRequests: l.groups.length === 0 ? 0 : best.estimate, mandatory, optional, bestK: best.k };
}

/** A proven lower bound on the Read Var requests any plan within these limits needs (see the module comment). */
export function s7MinimumRequests(tags: readonly PlannedTag<S7Address>[], limits: Partial<S7Limits> = {}): number {
  return bound(layout(tags), resolveS7Limits(limits)).minimumRequests;
}

// One item to read: bytes start..end of a group, covering atoms first..last (several atoms, or a fragment of one).
interface Piece {
  group: number;
  start: number;
  end: number;
  first: number;
  last: number;
}

type Packer = (lay: Layout, opens: readonly Uint8Array[], l: S7Limits) => Piece[][];

const replyCost = (length: number): number => ITEM_HEADER + length + (length % 2);

// Marks, per group and atom, whether the gap after that atom stays open (is not read).
function openFlags(lay: Layout, open: readonly Gap[]): Uint8Array[] {
  const flags = lay.groups.map((g) => new Uint8Array(g.atoms.length));
  for (const g of open) (flags[g.group] as Uint8Array)[g.after] = 1;
  return flags;
}

// Packer 1, next fit in address order: each request is filled up to the PDU, splitting a range between two atoms
// when the rest does not fit (costing one more item header). Best when ranges are long.
const nextFit: Packer = (lay, opens, l) => {
  const maxItems = s7MaxItemsPerRequest(l);
  const maxItemBytes = s7MaxItemBytes(l.pduSize);
  const bins: Piece[][] = [];
  let bin: Piece[] = [];
  let reply = REPLY_FIXED;
  const close = (): void => {
    if (bin.length > 0) bins.push(bin);
    bin = [];
    reply = REPLY_FIXED;
  };
  lay.groups.forEach((g, gi) => {
    const flags = opens[gi] as Uint8Array;
    let i = 0;
    let pos = g.atoms[0]?.start ?? 0;
    while (i < g.atoms.length) {
      const atom = g.atoms[i] as Atom;
      const limit = Math.min(l.pduSize - reply - ITEM_HEADER, maxItemBytes); // data (+ fill) one more item may take
      const canAdd = bin.length < maxItems && limit > 0;
      if (canAdd && pos === atom.start && replyCost(atom.end - pos) - ITEM_HEADER <= limit) {
        let j = i;
        while (j + 1 < g.atoms.length && flags[j] === 0 && replyCost((g.atoms[j + 1] as Atom).end - pos) - ITEM_HEADER <= limit) j++;
        const end = (g.atoms[j] as Atom).end;
        bin.push({ group: gi, start: pos, end, first: i, last: j });
        reply += replyCost(end - pos);
        i = j + 1;
        pos = g.atoms[i]?.start ?? 0;
        continue;
      }
      if (canAdd && atom.end - atom.start > maxItemBytes) {
        // A tag larger than any item: split it over items, filling what room there is.
        const len = Math.min(atom.end - pos, limit - (limit % 2));
        if (len > 0) {
          bin.push({ group: gi, start: pos, end: pos + len, first: i, last: i });
          reply += replyCost(len);
          pos += len;
          if (pos >= atom.end) {
            i++;
            pos = g.atoms[i]?.start ?? 0;
          }
          continue;
        }
      }
      if (bin.length === 0) {
        throw new BaselineError(
          'capture-plan-limits',
          `The S7 plan cannot place bytes ${atom.start}-${atom.end - 1} of ${g.area === 'DB' ? `DB${g.db}` : g.area}.`,
          'This is a defect in the planner; report it with the profile.',
          { area: g.area, db: g.db, start: atom.start },
        );
      }
      close();
    }
  });
  close();
  return bins;
};

// Cuts every range into pieces of at most one item (between atoms; a tag larger than an item into fragments).
function rangePieces(lay: Layout, opens: readonly Uint8Array[], maxItemBytes: number): Piece[] {
  const pieces: Piece[] = [];
  lay.groups.forEach((g, gi) => {
    const flags = opens[gi] as Uint8Array;
    let i = 0;
    while (i < g.atoms.length) {
      const atom = g.atoms[i] as Atom;
      if (atom.end - atom.start > maxItemBytes) {
        for (let pos = atom.start; pos < atom.end; pos += maxItemBytes)
          pieces.push({ group: gi, start: pos, end: Math.min(pos + maxItemBytes, atom.end), first: i, last: i });
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < g.atoms.length && flags[j] === 0 && replyCost((g.atoms[j + 1] as Atom).end - atom.start) - ITEM_HEADER <= maxItemBytes)
        j++;
      pieces.push({ group: gi, start: atom.start, end: (g.atoms[j] as Atom).end, first: i, last: j });
      i = j + 1;
    }
  });
  return pieces;
}

// Packer 2, first fit decreasing over whole pieces: no range is split across requests except where it exceeds one
// item, and small pieces fill the holes large ones leave. Best when there are many short ranges. A segment tree
// over the requests' remaining room (0 once a request has its maximum of items) finds the first request a piece
// fits in, in O(log n).
const firstFitDecreasing: Packer = (lay, opens, l) => {
  const maxItems = s7MaxItemsPerRequest(l);
  const pieces = rangePieces(lay, opens, s7MaxItemBytes(l.pduSize)).sort(
    (a, b) => b.end - b.start - (a.end - a.start) || a.group - b.group || a.start - b.start,
  );
  let size = 1;
  while (size < pieces.length) size *= 2;
  const room = new Float64Array(2 * size).fill(l.pduSize - REPLY_FIXED);
  const count = new Uint16Array(size);
  const bins: Piece[][] = [];
  for (const piece of pieces) {
    const cost = replyCost(piece.end - piece.start);
    let node = 1;
    while (node < size) node = (room[2 * node] as number) >= cost ? 2 * node : 2 * node + 1;
    const index = node - size;
    (bins[index] ??= []).push(piece);
    count[index] = (count[index] as number) + 1;
    room[node] = count[index] === maxItems ? 0 : (room[node] as number) - cost;
    for (node >>= 1; node >= 1; node >>= 1) room[node] = Math.max(room[2 * node] as number, room[2 * node + 1] as number);
  }
  return bins;
};

function replyTotal(bins: readonly Piece[][]): number {
  return bins.reduce((s, b) => s + REPLY_FIXED + b.reduce((t, p) => t + replyCost(p.end - p.start), 0), 0);
}

// Turns packed pieces into requests and items, and records where every tag's bytes are.
function materialise(lay: Layout, bins: readonly Piece[][]): { reads: S7Read[]; pieces: Map<string, S7TagPiece[]> } {
  const pieces = new Map<string, S7TagPiece[]>();
  const reads = bins.map((bin, r): S7Read => {
    const items = bin.map((p, k): S7ReadItem => {
      const g = lay.groups[p.group] as Layout['groups'][number];
      const item: S7ReadItem = {
        area: g.area,
        areaCode: S7_AREA_CODES[g.area],
        db: g.db,
        start: p.start,
        length: p.end - p.start,
        tags: [],
      };
      for (let a = p.first; a <= p.last; a++) {
        for (const t of (g.atoms[a] as Atom).tags) {
          const from = Math.max(t.location.start, p.start);
          const to = Math.min(t.location.start + t.location.length, p.end);
          if (to <= from) continue;
          const piece = { itemOffset: from - p.start, tagOffset: from - t.location.start, length: to - from };
          item.tags.push({ tag: t.tag, ...piece });
          const list = pieces.get(t.tag) ?? [];
          list.push({ read: r, item: k, ...piece });
          pieces.set(t.tag, list);
        }
      }
      return item;
    });
    return {
      items,
      requestBytes: REQUEST_FIXED + S7_FRAMING.requestItem * items.length,
      replyBytes: REPLY_FIXED + items.reduce((s, i) => s + replyCost(i.length), 0),
    };
  });
  return { reads, pieces };
}

// Bridging levels to try: every k when there are few gaps, otherwise an even grid plus the bound's own choice and
// its neighbourhood (packing is linear in the number of tags, so a hundred tries stay cheap).
function candidateKs(b: Bound): number[] {
  const K = b.optional.length;
  if (K <= 128) return Array.from({ length: K + 1 }, (_, k) => k);
  const ks = new Set<number>([0, K]);
  const step = Math.ceil(K / 64);
  for (let k = 0; k <= K; k += step) ks.add(k);
  for (let d = -32; d <= 32; d++) ks.add(Math.min(K, Math.max(0, b.bestK + d * Math.max(1, Math.floor(step / 8)))));
  return [...ks].sort((x, y) => x - y);
}

/** Plans the reads for a set of S7 tags: whole byte ranges packed into as few requests as the PDU and item limit allow. */
export function planS7(tags: readonly PlannedTag<S7Address>[], limits: Partial<S7Limits> = {}): S7Plan {
  const l = resolveS7Limits(limits);
  checkUniqueTags(tags);
  if (s7MaxItemsPerRequest(l) < 1 || s7MaxItemBytes(l.pduSize) < 1) {
    throw new BaselineError('capture-plan-limits', `A PDU of ${l.pduSize} bytes cannot carry a read.`, 'Check the negotiated PDU size.', {
      pduSize: l.pduSize,
    });
  }
  const lay = layout(tags);
  const b = bound(lay, l);
  // The bound's choice of gaps is where the search starts; the packings also pay for items split across requests,
  // for holes no piece fits and for requests closed by the item limit, so other choices and both packers are
  // tried and the plan with the fewest requests (then the fewest reply bytes) is kept.
  let best: { bins: Piece[][]; reply: number } | null = null;
  for (const k of [b.bestK, ...candidateKs(b)]) {
    const opens = openFlags(lay, [...b.mandatory, ...b.optional.slice(0, k)]);
    for (const packer of [nextFit, firstFitDecreasing]) {
      const bins = packer(lay, opens, l);
      const reply = replyTotal(bins);
      if (best === null || bins.length < best.bins.length || (bins.length === best.bins.length && reply < best.reply))
        best = { bins, reply };
    }
  }
  const { reads, pieces } = materialise(lay, best?.bins ?? []);
  const located: S7TagLocation[] = tags.map((t) => ({ tag: t.tag, location: t.location, pieces: pieces.get(t.tag) ?? [] }));
  return {
    protocol: 's7',
    limits: l,
    reads,
    tags: located,
    requests: reads.length,
    minimumRequests: b.minimumRequests,
    provenOptimal: reads.length === b.minimumRequests,
  };
}
