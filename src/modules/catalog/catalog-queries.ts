import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AppConfig } from '../../config/app-config.js';
import { ReadModelDb, uuidKey } from '../../database/read-model-db.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import { PRODUCTS_TABLE } from './catalog.public.js';
import type { ProductDto, ProductPageDto } from './catalog.query.dto.js';

export interface ProductSearch {
  /** Case-insensitive substring of the name or the SKU. */
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** A row of products_view as the queries select it (pg hands bigints over as strings). */
interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  stockOnHand: string;
  /** Set aside by open (placed or paid) orders. */
  reserved: string;
  version: number;
}

const PRODUCT_COLUMNS = 'id, sku, name, description, price_cents AS "priceCents", stock_on_hand AS "stockOnHand", reserved, version';

/**
 * Primary-key lookups, several at once (ReadModelDb.lookup), whose plan never depends on the values: a
 * named (prepared) statement.
 */
const FIND_PRODUCTS = { name: 'catalog.find-products', text: `SELECT ${PRODUCT_COLUMNS} FROM ${PRODUCTS_TABLE} WHERE id = ANY($1::uuid[])` };

/** The catalog's reads, over `products_view`. */
@Injectable()
export class CatalogQueries {
  private readonly findRow: (id: string) => Promise<ProductRow | null>;

  constructor(
    private readonly db: ReadModelDb,
    private readonly config: AppConfig,
  ) {
    this.findRow = db.lookup(FIND_PRODUCTS, (row: ProductRow) => row.id, uuidKey);
  }

  async findProduct(id: string): Promise<ProductDto | null> {
    const row = await this.findRow(id);
    return row && this.toProduct(row);
  }

  /**
   * Products ordered by SKU (then id, should two ever share one), a page at a time. The (sku, id) index
   * serves the order and the keyset; with `q`, the trigram indexes find the matches first.
   */
  async searchProducts({ q, limit, cursor }: ProductSearch): Promise<ProductPageDto> {
    // Not a named statement: how many rows match `q` decides the best plan, so each search gets its own.
    const values: unknown[] = [];
    const where: string[] = [];
    const text = q?.trim();
    if (text) {
      const pattern = `$${values.push(`%${escapeLike(text)}%`)}`;
      where.push(`(name ILIKE ${pattern} OR sku ILIKE ${pattern})`);
    }
    if (cursor !== undefined) {
      const [sku, id] = decodePageCursor(cursor, parseProductKeyset);
      where.push(`(sku, id) > ($${values.push(sku)}, $${values.push(id)})`);
    }
    const rows = await this.db.query<ProductRow>(
      `SELECT ${PRODUCT_COLUMNS} FROM ${PRODUCTS_TABLE} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sku, id LIMIT $${values.push(limit + 1)}`,
      values,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.toProduct(row)),
      nextCursor: rows.length > limit ? encodePageCursor([last.sku, last.id]) : null,
    };
  }

  private toProduct(row: ProductRow): ProductDto {
    return {
      id: row.id,
      sku: row.sku,
      name: row.name,
      description: row.description,
      priceCents: row.priceCents,
      currency: this.config.STORE_CURRENCY,
      stockOnHand: Number(row.stockOnHand),
      stockAvailable: Number(row.stockOnHand) - Number(row.reserved),
      version: row.version,
    };
  }
}

function parseProductKeyset(keyset: unknown): [string, string] | undefined {
  if (!Array.isArray(keyset) || keyset.length !== 2) return undefined;
  const [sku, id] = keyset as unknown[];
  return typeof sku === 'string' && typeof id === 'string' && isUUID(id) ? [sku, id] : undefined;
}

/** `q` is matched literally: LIKE's wildcards and its escape character lose their meaning. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
