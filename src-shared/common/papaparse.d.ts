/**
 * The part of Papa Parse (https://www.papaparse.com/docs) that CSV import (csv-table.ts) uses, typed here on purpose.
 *
 * Why not `@types/papaparse`: it starts with `/// <reference types="node" />`, which would pull Node's globals
 * (Buffer, process, ...) into the pure `src-shared/common` compile and silently defeat the layer check
 * (ARCHITECTURE §1). Importers add `/// <reference path="./papaparse.d.ts" />`.
 */
declare module 'papaparse' {
  /** One problem Papa Parse found while reading a row. */
  interface PapaParseError {
    type: string;
    code: string;
    message: string;
    row?: number;
    index?: number;
  }

  /** What the step callback receives for one row (header: false, so data is the row's fields). */
  interface PapaStepResult {
    data: string[];
    errors: PapaParseError[];
    meta: { cursor: number; aborted: boolean; truncated: boolean; delimiter: string; linebreak: string };
  }

  /** The parse options CSV import sets. */
  interface PapaParseConfig {
    delimiter?: string;
    newline?: string;
    quoteChar?: string;
    escapeChar?: string;
    header?: false;
    dynamicTyping?: false;
    skipEmptyLines?: false;
    step?: (results: PapaStepResult) => void;
  }

  /** The Papa Parse namespace object (the package is UMD/CommonJS: import it as the default export). */
  const Papa: {
    parse(input: string, config: PapaParseConfig): unknown;
    /** Writes rows as CSV (RFC 4180 quoting). */
    unparse(data: { fields: string[]; data: string[][] }, config?: { newline?: string }): string;
  };
  export default Papa;
}
