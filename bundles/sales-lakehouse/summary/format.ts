// Number formatting shared by the prompt and the offline summary, fixed to en-US so output is reproducible.
// Written out rather than with Intl.NumberFormat, whose first use costs tens of milliseconds in every summary run;
// the same text as en-US formatting gives (tests/bundles/sales-lakehouse/summary-format.test.ts).

/**
 * `|value|` to `decimals` places as en-US formatting rounds: its shortest decimal form (what `String` prints, so
 * 0.015 is 0.015, not the binary 0.01499...), half away from zero.
 */
function fixed(abs: number, decimals: number): string {
  const text = String(abs);
  if (/e/i.test(text)) return abs.toFixed(decimals);
  const [whole, fraction = ''] = text.split('.');
  const digits = (fraction + '0'.repeat(decimals + 1)).slice(0, decimals + 1);
  let scaled = BigInt(whole! + digits.slice(0, decimals));
  if (digits[decimals]! >= '5') scaled += 1n;
  const out = scaled.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? out : `${out.slice(0, -decimals)}.${out.slice(-decimals)}`;
}

/** `1,234.57` for -1234.567 with 2 places: no sign, thousands separated. */
function grouped(value: number, decimals: number): string {
  const [whole, fraction] = fixed(Math.abs(value), decimals).split('.');
  const digits = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? digits : `${digits}.${fraction}`;
}

const sign = (value: number) => (value < 0 || Object.is(value, -0) ? '-' : '');

/** `$1,234.57`, `-$3.00`. */
export function formatMoney(value: number): string {
  return `${sign(value)}$${grouped(value, 2)}`;
}

export function formatCount(value: number): string {
  return `${sign(value)}${grouped(value, 0)}`;
}

/** `12.5%`, without a sign. */
export function formatPercent(value: number): string {
  return `${sign(value)}${grouped(value, 1)}%`;
}

/** `up 12.5%`, `down 3.0%` or `flat`. */
export function formatChange(changePct: number): string {
  if (changePct > 0) return `up ${formatPercent(changePct)}`;
  if (changePct < 0) return `down ${formatPercent(-changePct)}`;
  return 'flat';
}
