/**
 * The page-aware writer report.pdf is drawn with (report-pdf.ts): headings, paragraphs, label/value facts, and tables
 * whose header is drawn again on every page they run onto. Its output is part of the evidence pack's format 3 (the
 * verifier renders the report again and compares bytes): a change to what it draws needs a new format.
 */

/** The page margin, and the room kept for the footer (page number and manifest hash). */
export const MARGIN = 48;
const FOOTER = 28;

export interface Column {
  header: string;
  width: number;
}

/** A page-aware writer over one pdfkit document. */
export class ReportWriter {
  readonly doc: PDFKit.PDFDocument;
  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN - FOOTER;
  }

  private get width(): number {
    return this.doc.page.width - 2 * MARGIN;
  }

  /** Starts a new page unless `height` still fits. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  heading(text: string): void {
    this.ensure(60);
    this.doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).fillColor('#000').text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3).font('Helvetica').fontSize(9);
  }

  sub(text: string): void {
    this.ensure(40);
    this.doc.moveDown(0.4).font('Helvetica-Bold').fontSize(10).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2).font('Helvetica').fontSize(9);
  }

  para(text: string, options: { color?: string; bold?: boolean } = {}): void {
    this.doc
      .font(options.bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .fillColor(options.color ?? '#000');
    this.ensure(this.doc.heightOfString(text, { width: this.width }) + 2);
    this.doc.text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.fillColor('#000');
  }

  /** Label/value pairs in two columns. */
  facts(rows: [string, string][]): void {
    for (const [label, value] of rows) {
      this.doc.font('Helvetica').fontSize(9);
      const h = Math.max(this.doc.heightOfString(value, { width: this.width - 130 }), 11);
      this.ensure(h + 2);
      const y = this.doc.y;
      this.doc.font('Helvetica-Bold').text(label, MARGIN, y, { width: 125 });
      this.doc.font('Helvetica').text(value, MARGIN + 130, y, { width: this.width - 130 });
      this.doc.y = y + h + 2;
    }
  }

  /** A table whose header is drawn again on every page it runs onto. */
  table(columns: Column[], rows: string[][], options: { shade?: (row: string[]) => string | null } = {}): void {
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const pad = 3;
    const drawHeader = () => {
      this.doc.font('Helvetica-Bold').fontSize(8);
      const h = Math.max(...columns.map((c, i) => this.doc.heightOfString(c.header, { width: widths[i]! - 2 * pad }))) + 2 * pad;
      const y = this.doc.y;
      this.doc.rect(MARGIN, y, this.width, h).fill('#dde3ea').fillColor('#000');
      let x = MARGIN;
      columns.forEach((c, i) => {
        this.doc.text(c.header, x + pad, y + pad, { width: widths[i]! - 2 * pad });
        x += widths[i]!;
      });
      this.doc.y = y + h;
      this.doc.font('Helvetica').fontSize(8);
    };
    this.ensure(40);
    drawHeader();
    if (rows.length === 0) {
      this.doc.text('(none)', MARGIN + pad, this.doc.y + pad);
      this.doc.moveDown(0.3);
      return;
    }
    for (const row of rows) {
      this.doc.font('Helvetica').fontSize(8);
      const h = Math.max(...row.map((cell, i) => this.doc.heightOfString(cell, { width: widths[i]! - 2 * pad }))) + 2 * pad;
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        this.doc.font('Helvetica-Oblique').fontSize(8).fillColor('#555').text('(table continued)', MARGIN, this.doc.y).fillColor('#000');
        drawHeader();
      }
      const y = this.doc.y;
      const shade = options.shade?.(row);
      if (shade) this.doc.rect(MARGIN, y, this.width, h).fill(shade).fillColor('#000');
      this.doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + this.width, y + h)
        .lineWidth(0.3)
        .strokeColor('#b0b8c0')
        .stroke();
      let x = MARGIN;
      row.forEach((cell, i) => {
        this.doc.text(cell, x + pad, y + pad, { width: widths[i]! - 2 * pad });
        x += widths[i]!;
      });
      this.doc.y = y + h;
    }
    this.doc.moveDown(0.4);
  }
}
