// Markdown table helpers of the bench reports (report.ts, report-storage.ts).

/** A Markdown table; the `text` columns are left-aligned, the others (numbers) right-aligned. */
export function md(rows: string[][], text: readonly number[] = [0, 1]): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (text.includes(i) ? '---' : '---:'))), ...body.map(line)].join('\n');
}

export const f1 = (n: number) => n.toFixed(1);
export const f2 = (n: number) => n.toFixed(2);
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const rss = (n: number | null) => (n === null ? 'n/a' : f1(n));
