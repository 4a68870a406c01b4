// Number formatting shared by the prompt and the offline summary, fixed to en-US so output is reproducible.

const MONEY = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const PERCENT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatMoney(value: number): string {
  return MONEY.format(value);
}

export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** `12.5%`, without a sign. */
export function formatPercent(value: number): string {
  return `${PERCENT.format(value)}%`;
}

/** `up 12.5%`, `down 3.0%` or `flat`. */
export function formatChange(changePct: number): string {
  if (changePct > 0) return `up ${formatPercent(changePct)}`;
  if (changePct < 0) return `down ${formatPercent(-changePct)}`;
  return 'flat';
}
