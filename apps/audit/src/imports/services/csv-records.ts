/**
 * Incremental CSV reader (RFC 4180: comma separator, double-quoted fields with `""` escapes,
 * CRLF or LF line ends, newlines allowed inside quotes). Text is pushed in pieces as it arrives
 * and complete records come out, so a moderation log of any length is read without holding it.
 */
export class CsvRecordReader {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  /** A quote seen inside a quoted field: either the closing quote or the first of `""`. */
  private quotePending = false;
  private fieldChars = 0;
  /** 1-based line on which the record being read started (for error reports). */
  private recordLine = 1;
  private line = 1;

  constructor(private readonly maxRecordChars = 64 * 1024) {}

  /** Complete records in `text` (and what was carried over), each with its starting line. */
  push(text: string): { fields: string[]; line: number; tooLong: boolean }[] {
    const out: { fields: string[]; line: number; tooLong: boolean }[] = [];
    let tooLong = false;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (this.quotePending) {
        this.quotePending = false;
        if (char === '"') {
          this.append('"');
          continue;
        }
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (char === '"') this.quotePending = true;
        else {
          if (char === '\n') this.line++;
          this.append(char);
        }
        continue;
      }
      if (char === '"' && this.field.length === 0) {
        this.inQuotes = true;
      } else if (char === ',') {
        this.endField();
      } else if (char === '\n') {
        this.endField();
        if (this.fieldChars > this.maxRecordChars) tooLong = true;
        out.push({ fields: this.record, line: this.recordLine, tooLong });
        tooLong = false;
        this.record = [];
        this.fieldChars = 0;
        this.line++;
        this.recordLine = this.line;
      } else if (char !== '\r') {
        this.append(char);
      }
    }
    return out;
  }

  /** The last record when the text does not end with a newline. */
  end(): { fields: string[]; line: number; tooLong: boolean; unterminatedQuote: boolean } | null {
    const unterminatedQuote = this.inQuotes && !this.quotePending;
    if (this.record.length === 0 && this.field.length === 0 && !unterminatedQuote) return null;
    this.endField();
    return { fields: this.record, line: this.recordLine, tooLong: this.fieldChars > this.maxRecordChars, unterminatedQuote };
  }

  private append(char: string): void {
    this.fieldChars++;
    // Past the limit the record is only counted, not kept: it will be rejected as too long.
    if (this.fieldChars <= this.maxRecordChars) this.field += char;
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
  }
}
