// Sales rows with dirty rows mixed in at a given rate. Each dirty row's kind is tallied here, in the
// generator, never written as a column: a pipeline under test must find bad rows on its own.

import { productCode, storeCode } from './dimensions.ts';
import type { Prng } from './prng.ts';
import type { RawRow } from './schema.ts';

export const SALES_DIRTY_KINDS = [
  'null_required',
  'nonpositive_quantity',
  'nonpositive_price',
  'malformed_timestamp',
  'future_timestamp',
  'unknown_product',
  'unknown_store',
  'duplicate_exact',
  'late_update',
] as const;

export type SalesDirtyKind = (typeof SALES_DIRTY_KINDS)[number];

export type SalesDataset = 'sales_batch' | 'sales_stream';

/** How many rows of each kind a dataset holds, and up to EXAMPLE_LIMIT transaction ids per kind. */
export interface SalesTally {
  rows: number;
  clean: number;
  dirty: Record<SalesDirtyKind, number>;
  examples: Record<SalesDirtyKind, string[]>;
}

export const EXAMPLE_LIMIT = 1000;

const CHANNELS = ['store', 'online', 'mobile'] as const;
const MALFORMED_TIMESTAMPS = ['not-a-timestamp', '2024-13-45 25:61:00', '31/02/2024 10:00', 'N/A', '2024-02-30 10:00:00', ''];
/** Columns the pipeline needs to place a sale; one of them is nulled for a `null_required` row. */
const REQUIRED_COLUMNS = ['product_id', 'store_id', 'quantity'] as const;
const PERIOD_START = Date.UTC(2024, 0, 1);
const PERIOD_SECONDS = 366 * 86_400;
/** Clean rows kept as candidates for later duplicates and late updates. */
const POOL_LIMIT = 5000;

export interface SalesContext {
  productIds: readonly string[];
  storeIds: readonly string[];
  promotionIds: readonly string[];
  listPrice: ReadonlyMap<string, number>;
  dirtyRate: number;
  /** First transaction number, so a later simulation into the same landing zone adds new transactions. */
  firstSequence?: number;
}

export function emptyTally(): SalesTally {
  const dirty = Object.fromEntries(SALES_DIRTY_KINDS.map((k) => [k, 0])) as Record<SalesDirtyKind, number>;
  const examples = Object.fromEntries(SALES_DIRTY_KINDS.map((k) => [k, [] as string[]])) as Record<SalesDirtyKind, string[]>;
  return { rows: 0, clean: 0, dirty, examples };
}

/** Stateful across files: ids keep counting and duplicates may point at rows of an earlier file of the same dataset. */
export class SalesGenerator {
  private nextSeq: number;
  private readonly pools = new Map<SalesDataset, RawRow[]>();
  readonly tallies: Record<SalesDataset, SalesTally> = { sales_batch: emptyTally(), sales_stream: emptyTally() };

  constructor(
    private readonly prng: Prng,
    private readonly ctx: SalesContext,
  ) {
    this.nextSeq = ctx.firstSequence ?? 1;
  }

  /** The transaction number the next row gets. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  generate(dataset: SalesDataset, count: number): RawRow[] {
    const rows: RawRow[] = [];
    for (let i = 0; i < count; i++) rows.push(this.nextRow(dataset));
    return rows;
  }

  private nextRow(dataset: SalesDataset): RawRow {
    const tally = this.tallies[dataset];
    tally.rows++;
    const kind = this.prng.chance(this.ctx.dirtyRate) ? this.prng.pick(SALES_DIRTY_KINDS) : undefined;
    const pool = this.pool(dataset);
    if (kind === 'duplicate_exact' || kind === 'late_update') {
      const original = takeRandom(this.prng, pool);
      if (original) {
        record(tally, kind, String(original.transaction_id));
        return kind === 'duplicate_exact' ? { ...original } : this.lateUpdateOf(original);
      }
    }
    const row = this.cleanRow();
    if (kind === undefined || kind === 'duplicate_exact' || kind === 'late_update') {
      // No earlier clean row to copy yet: this slot stays clean.
      tally.clean++;
      remember(this.prng, pool, row);
      return row;
    }
    this.spoil(row, kind);
    record(tally, kind, String(row.transaction_id));
    return row;
  }

  private cleanRow(): RawRow {
    const { prng, ctx } = this;
    const productId = prng.pick(ctx.productIds);
    const price = ctx.listPrice.get(productId) ?? 10;
    return {
      transaction_id: `T${String(this.nextSeq++).padStart(10, '0')}`,
      product_id: productId,
      store_id: prng.pick(ctx.storeIds),
      promotion_id: ctx.promotionIds.length > 0 && prng.chance(0.3) ? prng.pick(ctx.promotionIds) : null,
      quantity: prng.int(1, 10),
      unit_price: Math.round(price * prng.amount(0.9, 1.1) * 100) / 100,
      transaction_ts: formatTimestamp(PERIOD_START + prng.int(0, PERIOD_SECONDS - 1) * 1000),
      customer_id: `C${String(prng.int(1, 5000)).padStart(6, '0')}`,
      channel: prng.pick(CHANNELS),
    };
  }

  private spoil(row: RawRow, kind: Exclude<SalesDirtyKind, 'duplicate_exact' | 'late_update'>): void {
    const { prng } = this;
    switch (kind) {
      case 'null_required':
        row[prng.pick(REQUIRED_COLUMNS)] = null;
        return;
      case 'nonpositive_quantity':
        row.quantity = -prng.int(0, 5);
        return;
      case 'nonpositive_price':
        row.unit_price = prng.chance(0.5) ? 0 : -prng.amount(0.5, 50);
        return;
      case 'malformed_timestamp':
        row.transaction_ts = prng.pick(MALFORMED_TIMESTAMPS);
        return;
      case 'future_timestamp':
        row.transaction_ts = formatTimestamp(Date.UTC(2099, 0, 1) + prng.int(0, 300 * 86_400) * 1000);
        return;
      case 'unknown_product':
        // Codes past any real one: the catalogue is numbered from 1 without gaps.
        row.product_id = productCode(this.ctx.productIds.length + 1000 + prng.int(0, 999));
        return;
      case 'unknown_store':
        row.store_id = storeCode(this.ctx.storeIds.length + 1000 + prng.int(0, 999));
        return;
    }
  }

  /** The same sale restated later: a new quantity and a timestamp minutes to hours after the original. */
  private lateUpdateOf(original: RawRow): RawRow {
    const ts = Date.parse(`${String(original.transaction_ts).replace(' ', 'T')}Z`);
    return {
      ...original,
      quantity: (Number(original.quantity) % 10) + 1,
      transaction_ts: formatTimestamp(ts + this.prng.int(1, 720) * 60_000),
    };
  }

  private pool(dataset: SalesDataset): RawRow[] {
    let pool = this.pools.get(dataset);
    if (!pool) {
      pool = [];
      this.pools.set(dataset, pool);
    }
    return pool;
  }
}

function record(tally: SalesTally, kind: SalesDirtyKind, id: string): void {
  tally.dirty[kind]++;
  if (tally.examples[kind].length < EXAMPLE_LIMIT) tally.examples[kind].push(id);
}

/** Removes and returns a random element, so one original is duplicated or updated at most once. */
function takeRandom(prng: Prng, pool: RawRow[]): RawRow | undefined {
  if (pool.length === 0) return undefined;
  const i = prng.int(0, pool.length - 1);
  const row = pool[i]!;
  pool[i] = pool[pool.length - 1]!;
  pool.pop();
  return row;
}

function remember(prng: Prng, pool: RawRow[], row: RawRow): void {
  if (pool.length < POOL_LIMIT) pool.push(row);
  else pool[prng.int(0, POOL_LIMIT - 1)] = row;
}

export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
