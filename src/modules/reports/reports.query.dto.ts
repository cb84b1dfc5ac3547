import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { CENTS, COUNT, DATE as DATE_SHAPE, UUID } from '../../http/openapi/schemas.js';

/** The longest range a report covers: a (leap) year, so a report stays one cheap index range scan. */
export const MAX_REPORT_DAYS = 366;

const DAY_MS = 86_400_000;

/** `to` is on or after `from`, and the range spans at most MAX_REPORT_DAYS days (both ends included). */
function IsRangeEnd(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRangeEnd',
      validator: {
        validate: (to: unknown, args) => {
          const from = (args?.object as { from?: unknown }).from;
          if (typeof to !== 'string' || typeof from !== 'string') return true; // the format checks report these
          const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
          return days >= 1 && days <= MAX_REPORT_DAYS;
        },
        defaultMessage: () => `to must be on or after from, at most ${MAX_REPORT_DAYS} days in all`,
      },
    },
    options,
  );
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ReportRangeQueryDto {
  @ApiProperty({ ...DATE_SHAPE, description: 'First day, inclusive (UTC)', example: '2026-11-01' })
  @Matches(DATE, { message: 'from must be a date such as 2026-11-01' })
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ ...DATE_SHAPE, description: `Last day, inclusive (UTC); at most ${MAX_REPORT_DAYS} days after from`, example: '2026-11-30' })
  @Matches(DATE, { message: 'to must be a date such as 2026-11-30' })
  @IsISO8601({ strict: true })
  @IsRangeEnd()
  to: string;
}

export class TopProductsQueryDto extends ReportRangeQueryDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export class SalesFiguresDto {
  @ApiProperty({ ...COUNT, description: 'Orders placed, not cancelled' })
  orders: number;

  @ApiProperty(COUNT)
  itemsSold: number;

  @ApiProperty({ ...CENTS, description: 'Merchandise after discounts (subtotal - discount), without shipping and tax, in minor units' })
  revenueCents: number;

  @ApiProperty({ ...CENTS, description: 'Discounts given' })
  discountCents: number;

  @ApiProperty({ ...CENTS, description: 'Shipping charged' })
  shippingCents: number;

  @ApiProperty({ ...CENTS, description: 'Tax collected' })
  taxCents: number;
}

export class SalesDayDto extends SalesFiguresDto {
  @ApiProperty({ ...DATE_SHAPE, example: '2026-11-26' })
  date: string;
}

export class SalesReportDto {
  @ApiProperty({ type: [SalesDayDto], maxItems: MAX_REPORT_DAYS, description: 'Every day of the range, ascending, zeros included' })
  days: SalesDayDto[];

  @ApiProperty({ type: SalesFiguresDto })
  totals: SalesFiguresDto;
}

export class TopProductDto {
  @ApiProperty(UUID)
  productId: string;

  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'As sold last in the range', example: 'MUG-RED' })
  sku: string;

  @ApiProperty({ maxLength: 200, description: 'As sold last in the range', example: 'Red mug' })
  name: string;

  @ApiProperty(COUNT)
  itemsSold: number;

  @ApiProperty({ ...CENTS, description: 'Line totals, before order-level discounts' })
  revenueCents: number;
}
