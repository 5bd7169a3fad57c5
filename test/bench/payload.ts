// A compressible payload file for ProducerPerformance --payload-file: JSON-like event records, one
// per line, each exactly `size` ASCII bytes, so the data set size stays records × size. Values come
// from small vocabularies and a seeded generator (the same file every run), which makes the data
// compress the way application events do (several x with zstd), unlike the tool's default payload.
import { writeFileSync } from 'node:fs';

const EVENTS = ['page_view', 'add_to_cart', 'checkout', 'login', 'logout', 'search', 'purchase', 'refund'];
const PATHS = ['/', '/products', '/products/item', '/cart', '/checkout', '/account', '/search', '/help'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
];
const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

/** mulberry32: a tiny seeded PRNG, enough for reproducible test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function payloadLines(count: number, size: number, seed = 1): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (n: number) => Math.floor(rnd() * n);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const head =
      `{"id":${1_000_000 + i},"ts":"2026-11-${String(1 + int(28)).padStart(2, '0')}T${String(int(24)).padStart(2, '0')}:` +
      `${String(int(60)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}.${String(int(1000)).padStart(3, '0')}Z",` +
      `"user":"user-${int(50_000)}","event":"${pick(EVENTS)}","path":"${pick(PATHS)}/${int(5000)}",` +
      `"ua":"${pick(AGENTS)}","amount":${(rnd() * 500).toFixed(2)},"note":"`;
    let note = '';
    while (head.length + note.length + 2 < size) note += pick(WORDS) + ' ';
    const line = head + note.slice(0, size - head.length - 2) + '"}';
    if (line.length !== size) throw new Error(`payload line of ${line.length} bytes, wanted ${size} (size too small for the template?)`);
    lines.push(line);
  }
  return lines;
}

export function writePayloadFile(file: string, count: number, size: number): void {
  writeFileSync(file, payloadLines(count, size).join('\n') + '\n');
}
