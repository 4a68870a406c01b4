// Column layouts of the files the simulator writes. Ids are codes (`P0001`, `S001`, `PR001`); sales
// timestamps are strings on purpose: raw files must be able to hold values that will not cast.

export type RawType = 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'DATE';

export interface RawColumn {
  name: string;
  type: RawType;
}

export const PRODUCT_COLUMNS: readonly RawColumn[] = [
  { name: 'product_id', type: 'VARCHAR' },
  { name: 'product_name', type: 'VARCHAR' },
  { name: 'category', type: 'VARCHAR' },
  { name: 'unit_cost', type: 'DOUBLE' },
];

export const STORE_COLUMNS: readonly RawColumn[] = [
  { name: 'store_id', type: 'VARCHAR' },
  { name: 'store_name', type: 'VARCHAR' },
  { name: 'city', type: 'VARCHAR' },
  { name: 'region', type: 'VARCHAR' },
];

export const PROMOTION_COLUMNS: readonly RawColumn[] = [
  { name: 'promotion_id', type: 'VARCHAR' },
  { name: 'promo_name', type: 'VARCHAR' },
  { name: 'discount_pct', type: 'DOUBLE' },
  { name: 'start_date', type: 'DATE' },
  { name: 'end_date', type: 'DATE' },
];

export const SALES_COLUMNS: readonly RawColumn[] = [
  { name: 'transaction_id', type: 'VARCHAR' },
  { name: 'product_id', type: 'VARCHAR' },
  { name: 'store_id', type: 'VARCHAR' },
  { name: 'promotion_id', type: 'VARCHAR' },
  { name: 'quantity', type: 'INTEGER' },
  { name: 'unit_price', type: 'DOUBLE' },
  { name: 'transaction_ts', type: 'VARCHAR' },
  { name: 'customer_id', type: 'VARCHAR' },
  { name: 'channel', type: 'VARCHAR' },
];

/** The extra column of the one schema-drift file; no table declares it, so Auto Loader must rescue it. */
export const DRIFT_COLUMN: RawColumn = { name: 'coupon_code', type: 'VARCHAR' };

export type RawRow = Record<string, string | number | null>;
