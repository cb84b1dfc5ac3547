import { unreachable } from '../../event-store/decider.js';
import { readModel } from '../../projections/read-model.js';
import { boolean, int4, int8, nullable, table, text, timestamp, uuid, type TableRow } from '../../projections/read-model-columns.js';
import type { DiscountCodeEvent, DiscountKind } from './discounts.events.js';
import { DISCOUNT_CODES_TABLE, DISCOUNTS_READ_MODEL } from './discounts.public.js';

/** One row per code in `discount_codes_view`, as the admin's list answers it. */
export const discountCodesView = table(DISCOUNT_CODES_TABLE, ['id'], {
  id: uuid(),
  code: text(),
  /** lower(code): the list's order and keyset. */
  codeKey: text(),
  kind: text<DiscountKind>(),
  value: int4(),
  minSubtotalCents: nullable(int8()),
  startsAt: nullable(timestamp()),
  endsAt: nullable(timestamp()),
  maxRedemptions: nullable(int4()),
  maxPerCustomer: int4(),
  active: boolean(),
  /** Redemptions not given back (cancelled orders give theirs back). */
  redemptions: int4(),
  /** The code stream's version after the last of its own events. */
  version: int4(),
});

export type DiscountCodeRow = TableRow<typeof discountCodesView>;

const byCode = (event: { data: { codeId: string } }) => event.data.codeId;

/**
 * Codes with their count of redemptions not given back. A redemption is in the code's own stream (a
 * code with a total limit) or in the customer's redemptions of it: both count, but only the code's own
 * events move the row's version.
 */
export const discountCodes = readModel<DiscountCodeEvent, DiscountCodeRow>({
  name: DISCOUNTS_READ_MODEL,
  table: discountCodesView,
  keys: { DiscountCodeCreated: byCode, DiscountCodeDeactivated: byCode, DiscountRedeemed: byCode, DiscountRedemptionReleased: byCode },
  evolve(row, event) {
    if (event.type === 'DiscountCodeCreated') {
      const d = event.data;
      return {
        id: d.codeId,
        code: d.code,
        codeKey: d.code.toLowerCase(),
        kind: d.kind,
        value: d.value,
        minSubtotalCents: d.minSubtotalCents === null ? null : BigInt(d.minSubtotalCents),
        startsAt: d.startsAt,
        endsAt: d.endsAt,
        maxRedemptions: d.maxRedemptions,
        maxPerCustomer: d.maxPerCustomer,
        active: true,
        redemptions: 0,
        version: event.version,
      };
    }
    if (!row) return null;
    const version = event.streamId === row.id ? event.version : row.version;
    switch (event.type) {
      case 'DiscountCodeDeactivated':
        return { ...row, active: false, version };
      case 'DiscountRedeemed':
        return { ...row, redemptions: row.redemptions + 1, version };
      case 'DiscountRedemptionReleased':
        return { ...row, redemptions: row.redemptions - 1, version };
      default:
        return unreachable(event);
    }
  },
});
