import { Injectable } from '@nestjs/common';
import { ProjectionProvider, type Projection } from '../../projections/projection.js';
import type { DiscountCodeCreated, DiscountCodeDeactivated, DiscountRedemptionEvent } from './discounts.events.js';
import { DISCOUNTS_READ_MODEL } from './discounts.public.js';

export { DISCOUNTS_READ_MODEL };

/**
 * Builds `discount_codes_view`: a row per code with its count of redemptions not given back. Events of
 * the code's own stream move the row only if newer than its version (applying one twice changes
 * nothing). Redemptions of a code without a total limit live in per-customer streams, whose versions say
 * nothing about the row's: they count once because the runner applies each event once.
 */
@ProjectionProvider()
@Injectable()
export class DiscountsProjection implements Projection {
  readonly name = DISCOUNTS_READ_MODEL;
  readonly tables = ['discount_codes_view'];

  readonly handlers: Projection['handlers'] = {
    DiscountCodeCreated: async (event, ctx) => {
      const d = event.data as DiscountCodeCreated['data'];
      await ctx.client.query(
        `INSERT INTO ${ctx.table('discount_codes_view')}
           (id, code, code_key, kind, value, min_subtotal_cents, starts_at, ends_at, max_redemptions, max_per_customer, active, redemptions, version)
         VALUES ($1, $2, lower($2), $3, $4, $5, $6, $7, $8, $9, true, 0, $10) ON CONFLICT (id) DO NOTHING`,
        [d.codeId, d.code, d.kind, d.value, d.minSubtotalCents, d.startsAt, d.endsAt, d.maxRedemptions, d.maxPerCustomer, event.version],
      );
    },
    DiscountCodeDeactivated: async (event, ctx) => {
      const { codeId } = event.data as DiscountCodeDeactivated['data'];
      await ctx.client.query(`UPDATE ${ctx.table('discount_codes_view')} SET active = false, version = $2 WHERE id = $1 AND version < $2`, [codeId, event.version]);
    },
    DiscountRedeemed: (event, ctx) => countRedemption(event.data as DiscountRedemptionEvent['data'], 1, event.streamId, event.version, ctx),
    DiscountRedemptionReleased: (event, ctx) => countRedemption(event.data as DiscountRedemptionEvent['data'], -1, event.streamId, event.version, ctx),
  };
}

async function countRedemption(
  { codeId }: DiscountRedemptionEvent['data'],
  step: number,
  streamId: string,
  version: number,
  ctx: Parameters<Projection['handlers'][string]>[1],
): Promise<void> {
  const table = ctx.table('discount_codes_view');
  if (streamId === codeId) {
    await ctx.client.query(`UPDATE ${table} SET redemptions = redemptions + $2, version = $3 WHERE id = $1 AND version < $3`, [codeId, step, version]);
  } else {
    await ctx.client.query(`UPDATE ${table} SET redemptions = redemptions + $2 WHERE id = $1`, [codeId, step]);
  }
}
