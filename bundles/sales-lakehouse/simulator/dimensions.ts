// Products, stores and promotions: small reference tables the sales rows point into.

import type { Prng } from './prng.ts';
import type { RawRow } from './schema.ts';

export const CATEGORIES = ['Electronics', 'Grocery', 'Clothing', 'Home', 'Toys', 'Sports', 'Beauty', 'Books'] as const;

const ADJECTIVES = ['Classic', 'Smart', 'Eco', 'Deluxe', 'Compact', 'Ultra', 'Organic', 'Pro'];
/** Product nouns by category, so a product's name fits its category on the dashboard. */
const NOUNS: Record<(typeof CATEGORIES)[number], readonly string[]> = {
  Electronics: ['Headphones', 'Speaker', 'Charger', 'Tablet'],
  Grocery: ['Coffee', 'Olive Oil', 'Granola', 'Tea'],
  Clothing: ['Jacket', 'Sweater', 'Sneakers', 'Scarf'],
  Home: ['Kettle', 'Lamp', 'Blender', 'Cushion'],
  Toys: ['Puzzle', 'Robot Kit', 'Plush Bear', 'Train Set'],
  Sports: ['Racket', 'Yoga Mat', 'Backpack', 'Bottle'],
  Beauty: ['Serum', 'Face Cream', 'Shampoo', 'Lip Balm'],
  Books: ['Novel', 'Cookbook', 'Atlas', 'Biography'],
};
const CITIES: readonly (readonly [string, string])[] = [
  ['Seattle', 'West'],
  ['Portland', 'West'],
  ['Denver', 'Mountain'],
  ['Austin', 'South'],
  ['Atlanta', 'South'],
  ['Chicago', 'Midwest'],
  ['Detroit', 'Midwest'],
  ['Boston', 'Northeast'],
  ['New York', 'Northeast'],
  ['Miami', 'South'],
];
const PROMO_NAMES = ['Spring Sale', 'Back to School', 'Black Friday', 'Holiday Deals', 'Clearance', 'Member Week', 'Flash Sale', 'Summer Savings'];

export interface Dimensions {
  products: RawRow[];
  stores: RawRow[];
  promotions: RawRow[];
  /** List price per product id, so sales prices look like the catalogue's. */
  listPrice: Map<string, number>;
  /** Products whose category was written with whitespace or case noise. */
  categoryNoise: number;
}

export function generateDimensions(
  prng: Prng,
  counts: { products: number; stores: number; promotions: number },
  dirtyRate: number,
): Dimensions {
  const listPrice = new Map<string, number>();
  let categoryNoise = 0;
  const products: RawRow[] = [];
  for (let n = 1; n <= counts.products; n++) {
    const id = productCode(n);
    const category = prng.pick(CATEGORIES);
    const noisy = prng.chance(dirtyRate);
    if (noisy) categoryNoise++;
    const unitCost = prng.amount(2, 200);
    listPrice.set(id, Math.round(unitCost * prng.amount(1.2, 1.8) * 100) / 100);
    products.push({
      product_id: id,
      product_name: `${prng.pick(ADJECTIVES)} ${prng.pick(NOUNS[category])} ${n}`,
      category: noisy ? noiseCategory(prng, category) : category,
      unit_cost: unitCost,
    });
  }
  const stores: RawRow[] = [];
  for (let n = 1; n <= counts.stores; n++) {
    const [city, region] = prng.pick(CITIES);
    stores.push({ store_id: storeCode(n), store_name: `Store ${String(n).padStart(3, '0')} ${city}`, city, region });
  }
  const promotions: RawRow[] = [];
  for (let n = 1; n <= counts.promotions; n++) {
    const start = new Date(Date.UTC(2024, 0, 1) + prng.int(0, 330) * 86_400_000);
    const end = new Date(start.getTime() + prng.int(7, 45) * 86_400_000);
    promotions.push({
      promotion_id: promotionCode(n),
      promo_name: `${prng.pick(PROMO_NAMES)} ${n}`,
      // A percentage, as the gold layer divides by 100.
      discount_pct: prng.amount(5, 40, 0),
      start_date: start.toISOString().slice(0, 10),
      end_date: end.toISOString().slice(0, 10),
    });
  }
  return { products, stores, promotions, listPrice, categoryNoise };
}

export const productCode = (n: number): string => `P${String(n).padStart(4, '0')}`;
export const storeCode = (n: number): string => `S${String(n).padStart(3, '0')}`;
export const promotionCode = (n: number): string => `PR${String(n).padStart(3, '0')}`;

/** The kinds of noise real feeds carry: stray whitespace and inconsistent case, never a different word. */
function noiseCategory(prng: Prng, category: string): string {
  switch (prng.int(0, 3)) {
    case 0:
      return `  ${category.toLowerCase()} `;
    case 1:
      return category.toUpperCase();
    case 2:
      return ` ${category}\t`;
    default:
      return `${category.toLowerCase()}  `;
  }
}
