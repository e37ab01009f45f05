/**
 * Money is carried as decimal strings (never floats) across records, events and exports. Arithmetic is done in
 * integer micro-dollars (1e-6 USD) — precise enough for per-second pricing and exact for sums.
 */
const SCALE = 1_000_000n;

export function toMicros(usd: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,12}))?$/.exec(usd.trim());
  if (!m) throw new Error(`not a decimal amount: '${usd}'`);
  const [, neg, whole, frac = ''] = m;
  // Round half up at the 6th decimal.
  const padded = (frac + '0000000').slice(0, 7);
  let micros = BigInt(whole!) * SCALE + BigInt(padded.slice(0, 6));
  if (Number(padded[6]) >= 5) micros += 1n;
  return neg ? -micros : micros;
}

export function fromMicros(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / SCALE;
  const frac = (abs % SCALE).toString().padStart(6, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** rate (USD per unit, decimal string) × quantity (a number of units, may be fractional) → micro-dollars. */
export function multiplyRate(rateUsd: string, quantity: number): bigint {
  // Rates can be far below a micro-dollar (e.g. 0.0000045 per GiB-second): scale up before rounding.
  const m = /^(\d+)(?:\.(\d{1,12}))?$/.exec(rateUsd.trim());
  if (!m) throw new Error(`not a decimal rate: '${rateUsd}'`);
  const frac = (m[2] ?? '').padEnd(12, '0');
  const pico = BigInt(m[1]!) * 1_000_000_000_000n + BigInt(frac); // 1e-12 USD per unit
  const qMilli = BigInt(Math.round(quantity * 1000)); // quantity in thousandths
  const totalFemto = pico * qMilli; // 1e-15 USD
  return (totalFemto + 500_000_000n) / 1_000_000_000n; // → 1e-6 USD, rounded
}

export const sumMicros = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

export const DECIMAL_RE = /^\d+(\.\d{1,12})?$/;
