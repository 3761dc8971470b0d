/**
 * Browse-to-profile for Logix: reads the controller's tag list (Symbol object 0x6B, Get Instance Attribute List)
 * and its UDT templates through st-ethernet-ip, and proposes capture-profile rows: atomic and STRING tags as they
 * are, structure members one level deep. Arrays are listed as skipped (the element count is not in the tag list),
 * so a person chooses which elements matter rather than Baseline capturing thousands by accident.
 */
import type { JobContext } from '../process/device-messages.ts';
import type { BrowseResult, BrowsedTag } from '../driver.ts';
import type { connectLogix } from './logix-connection.ts';

const ATOMIC = new Set(['BOOL', 'SINT', 'INT', 'DINT', 'LINT', 'REAL', 'LREAL', 'STRING']);

interface TagListType {
  typeName?: string;
  structure?: boolean;
  arrayDims?: number;
  code?: number;
}
interface TemplateMember {
  name: string;
  type?: { string?: string; typeName?: string; code?: number };
  info?: number;
}

/** Proposes profile rows from the tag list of a controller connected with its tag list (connectLogix's `browse`). */
export function browseTagList(plc: Awaited<ReturnType<typeof connectLogix>>, ctx: JobContext): BrowseResult {
  const tags: BrowsedTag[] = [];
  const skipped: BrowseResult['skipped'] = [];
  const templates = plc.templateList as unknown as Record<string, { _name?: string; _members?: TemplateMember[] }>;
  for (const t of plc.tagList) {
    const address = t.program ? `Program:${t.program}.${t.name}` : t.name;
    const type = t.type as unknown as TagListType;
    const typeName = type.typeName ?? '';
    if ((type.arrayDims ?? 0) > 0) {
      skipped.push({ address, reason: `array of ${typeName}: add the elements you need as rows (e.g. ${address}[0])` });
    } else if (ATOMIC.has(typeName)) {
      tags.push({ address, type: typeName });
    } else if (type.structure) {
      const members = templates[String(type.code)]?._members ?? [];
      const readable = members.filter((m) => !m.name.startsWith('ZZZZZZZZZZ'));
      for (const m of readable) {
        const mType = m.type?.string ?? m.type?.typeName ?? '';
        if (ATOMIC.has(mType) && !(m.info && m.info > 0)) tags.push({ address: `${address}.${m.name}`, type: mType });
        else
          skipped.push({
            address: `${address}.${m.name}`,
            reason: `member of type ${mType || 'structure/array'}: add it by hand if it matters`,
          });
      }
      if (readable.length === 0) skipped.push({ address, reason: `structure ${typeName} whose members could not be read` });
    } else {
      skipped.push({ address, reason: `type ${typeName || 'unknown'} is not captured` });
    }
  }
  ctx.progress({ done: tags.length, total: tags.length, detail: 'browsed' });
  return { tags, skipped };
}
