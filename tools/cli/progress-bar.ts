// One progress line for long CLI commands (audit verify, historical import): redrawn in place
// on a terminal, a plain line now and then when the output is a file or a CI log.

function formatAmount(value: number, unit: 'records' | 'bytes'): string {
  if (unit === 'records') return String(value);
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MB`;
  if (value >= 1 << 10) return `${(value / (1 << 10)).toFixed(1)} kB`;
  return `${value} B`;
}

export function progressBar(done: number, total: number, startedAt: number, unit: 'records' | 'bytes' = 'records'): string {
  const width = 30;
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  const amounts = unit === 'records' ? `${done}/${total} records  ${rate}/s` : `${formatAmount(done, unit)}/${formatAmount(total, unit)}  ${formatAmount(rate, unit)}/s`;
  return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ${amounts}`;
}

/** Draws at most every 100 ms on a terminal, every 2 s otherwise, and always the last step. */
export function progressReporter(unit: 'records' | 'bytes', stream: NodeJS.WriteStream = process.stderr): { update(done: number, total: number): void; finish(): void } {
  const startedAt = Date.now();
  const interactive = stream.isTTY === true;
  let lastDraw = 0;
  return {
    update(done, total) {
      if (Date.now() - lastDraw < (interactive ? 100 : 2000) && done < total) return;
      lastDraw = Date.now();
      const line = progressBar(done, total, startedAt, unit);
      stream.write(interactive ? line : `${line.slice(1)}\n`);
    },
    finish() {
      if (interactive) stream.write('\n');
    },
  };
}
