// Byte sizes as users write them: an integer, or a string with a unit suffix ("128MiB", "64MB",
// "1 GiB", "1048576"). KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024; units are
// case-insensitive. The result must be a whole, safe integer number of bytes.

const unitFactors: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const sizePattern = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Bytes for a written size, or a message saying why it is not one. */
export function parseByteSize(value: number | string): { bytes: number } | { error: string } {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { bytes: value } : { error: `${value} is not a whole number of bytes` };
  }
  const match = sizePattern.exec(value.trim());
  const factor = match ? unitFactors[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    return { error: `"${value}" is not a byte size (write an integer or e.g. "512KiB", "64MB", "1GiB")` };
  }
  // Round away float noise ("1.1KB" is 1100.0000000000002) but not real fractions of a byte.
  const exact = Number(match[1]) * factor;
  const bytes = Math.round(exact);
  if (Math.abs(exact - bytes) > 1e-6 || !Number.isSafeInteger(bytes)) {
    return { error: `"${value}" is not a whole number of bytes` };
  }
  return { bytes };
}

/** The shortest exact spelling of a byte count, for docs and messages ("128MiB", "1000"). */
export function formatByteSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const factor = unitFactors[unit.toLowerCase()]!;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}
