import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import { ProductView } from './catalog.projection.js';
import type { ProductDto, ProductPageDto } from './catalog.query.dto.js';

export interface ProductSearch {
  /** Case-insensitive substring of the name or the SKU. */
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** The catalog's reads, over `products_view`. */
@Injectable()
export class CatalogQueries {
  constructor(
    @InjectRepository(ProductView) private readonly products: Repository<ProductView>,
    private readonly config: AppConfig,
  ) {}

  async findProduct(id: string): Promise<ProductDto | null> {
    const row = await this.products.findOneBy({ id });
    return row && this.toProduct(row);
  }

  /**
   * Products ordered by SKU (then id, should two ever share one), a page at a time. The (sku, id) index
   * serves the order and the keyset; with `q`, the trigram indexes find the matches first.
   */
  async searchProducts({ q, limit, cursor }: ProductSearch): Promise<ProductPageDto> {
    const query = this.products.createQueryBuilder('p').orderBy('p.sku', 'ASC').addOrderBy('p.id', 'ASC').limit(limit + 1);
    const text = q?.trim();
    if (text) {
      query.andWhere('(p.name ILIKE :pattern OR p.sku ILIKE :pattern)', { pattern: `%${escapeLike(text)}%` });
    }
    if (cursor !== undefined) {
      const [sku, id] = decodePageCursor(cursor, parseProductKeyset);
      query.andWhere('(p.sku, p.id) > (:sku, :id)', { sku, id });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.toProduct(row)),
      nextCursor: rows.length > limit ? encodePageCursor([last.sku, last.id]) : null,
    };
  }

  private toProduct(row: ProductView): ProductDto {
    return {
      id: row.id,
      sku: row.sku,
      name: row.name,
      description: row.description,
      priceCents: row.priceCents,
      currency: this.config.STORE_CURRENCY,
      stockOnHand: row.stockOnHand,
      stockAvailable: row.stockOnHand - row.reserved,
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
