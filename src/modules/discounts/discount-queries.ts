import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type pg from 'pg';
import { PG_POOL } from '../../database/database.tokens.js';
import { decodePageCursor, encodePageCursor } from '../../http/page-cursor.js';
import type { DiscountCodeDto, DiscountCodePageDto } from './discounts.dto.js';

type Row = DiscountCodeDto & { codeKey: string; minSubtotalCents: string | null; startsAt: Date | null; endsAt: Date | null };

/** The discount codes' reads, over `discount_codes_view`. */
@Injectable()
export class DiscountQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Codes by their lower-case key (unique), a page at a time. */
  async listCodes(limit: number, cursor?: string): Promise<DiscountCodePageDto> {
    const after = cursor === undefined ? null : decodePageCursor(cursor, (k) => (Array.isArray(k) && k.length === 2 && typeof k[0] === 'string' && isUUID(k[1]) ? k : undefined));
    const { rows } = await this.pool.query<Row>(
      `SELECT id, code, code_key AS "codeKey", kind, value, min_subtotal_cents AS "minSubtotalCents", starts_at AS "startsAt",
              ends_at AS "endsAt", max_redemptions AS "maxRedemptions", max_per_customer AS "maxPerCustomer", active, redemptions
       FROM discount_codes_view
       WHERE $1::text IS NULL OR (code_key, id) > ($1, $2::uuid)
       ORDER BY code_key, id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ codeKey: _key, ...row }) => ({
        ...row,
        minSubtotalCents: row.minSubtotalCents === null ? null : Number(row.minSubtotalCents),
        startsAt: row.startsAt?.toISOString() ?? null,
        endsAt: row.endsAt?.toISOString() ?? null,
      })),
      nextCursor: rows.length > limit ? encodePageCursor([last.codeKey, last.id]) : null,
    };
  }
}
