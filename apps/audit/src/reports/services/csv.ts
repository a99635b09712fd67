/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as a formula are prefixed with `'`
 * (values come from platforms and notifiers: never let them execute).
 */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `?format=csv` wins; else an Accept header preferring text/csv. */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined && format !== '') return format.toLowerCase() === 'csv';
  return typeof accept === 'string' && accept.includes('text/csv') && !accept.startsWith('application/json');
}
