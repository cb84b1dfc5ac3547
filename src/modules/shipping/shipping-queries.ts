import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';
import type { ShippingMethodDto, TaxRateDto } from './shipping.dto.js';

/** The shipping module's reads, over `shipping_methods_view` and `tax_rates_view`. */
@Injectable()
export class ShippingQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Every method by code; with `country`, only the active ones serving it. */
  async listMethods(country?: string): Promise<ShippingMethodDto[]> {
    const { rows } = await this.pool.query<ShippingMethodDto>(
      `SELECT id, code, name, price_cents AS "priceCents", free_over_cents AS "freeOverCents", countries, active
       FROM shipping_methods_view
       WHERE $1::text IS NULL OR (active AND countries ? $1)
       ORDER BY code, id`,
      [country?.toUpperCase() ?? null],
    );
    return rows;
  }

  async listTaxRates(): Promise<TaxRateDto[]> {
    const { rows } = await this.pool.query<TaxRateDto>(`SELECT country, rate_basis_points AS "rateBasisPoints" FROM tax_rates_view ORDER BY country`);
    return rows;
  }
}
