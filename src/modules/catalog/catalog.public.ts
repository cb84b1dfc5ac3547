/**
 * The catalog's public read contract: what another module may read of the catalog besides its events.
 * Carts price an open cart's lines from the current catalog, so they join this table read-only and
 * wait for this read model with `@UsesReadModels`. Other modules read only the columns named here;
 * anything else in the table may change without notice.
 */

/** The catalog's read model (its projection's name, for `@UsesReadModels`). */
export const CATALOG_READ_MODEL = 'catalog';

/**
 * One row per product, keyed by `id` (uuid). Public columns: `sku` and `name` (text) and `price_cents`
 * (bigint, the current price). A product the read model has not caught up with yet has no row.
 */
export const PRODUCTS_TABLE = 'products_view';
