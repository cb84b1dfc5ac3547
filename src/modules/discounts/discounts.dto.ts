import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';
import { CENTS, COUNT, TIMESTAMP, UUID } from '../../http/openapi/schemas.js';
import type { DiscountKind } from './discounts.events.js';

const CODE_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_FIXED_CENTS = 100_000_000;
/** The largest subtotal a cart can reach (100 lines x 1000 items x 10^8 cents). */
const MAX_SUBTOTAL_CENTS = 10_000_000_000_000;

/** A percentage is 1..100; a fixed amount 1..10^8 cents (the other bound is on the property). */
@ValidatorConstraint({ name: 'valueFitsKind' })
class ValueFitsKind implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return (args.object as CreateDiscountCodeDto).kind !== 'percent' || (typeof value === 'number' && value <= 100);
  }

  defaultMessage(): string {
    return 'value must be at most 100 for a percent discount';
  }
}

/** endsAt must come after startsAt. */
@ValidatorConstraint({ name: 'endsAfterStart' })
class EndsAfterStart implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const startsAt = (args.object as CreateDiscountCodeDto).startsAt;
    return startsAt === undefined || typeof value !== 'string' || Date.parse(value) > Date.parse(startsAt);
  }

  defaultMessage(): string {
    return 'endsAt must be after startsAt';
  }
}

export class CreateDiscountCodeDto {
  @ApiProperty({ minLength: 3, maxLength: 32, pattern: CODE_PATTERN.source, description: 'Unique case-insensitively', example: 'SPRING10' })
  @IsString()
  @Length(3, 32)
  @Matches(CODE_PATTERN, { message: 'code may only contain letters, digits, - and _' })
  code: string;

  @ApiProperty({ enum: ['percent', 'fixed'] })
  @IsIn(['percent', 'fixed'])
  kind: DiscountKind;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_FIXED_CENTS, description: 'percent: 1..100; fixed: cents, 1..100000000', example: 10 })
  @IsInt()
  @Min(1)
  @Max(MAX_FIXED_CENTS)
  @Validate(ValueFitsKind)
  value: number;

  @ApiPropertyOptional({ ...CENTS, maximum: MAX_SUBTOTAL_CENTS, description: 'The subtotal (before discount) the cart must reach', example: 2000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SUBTOTAL_CENTS)
  minSubtotalCents?: number;

  @ApiPropertyOptional({ ...TIMESTAMP, description: 'Valid from (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ ...TIMESTAMP, description: 'Valid until (exclusive); after startsAt' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Validate(EndsAfterStart)
  endsAt?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000_000, description: 'Orders that may carry it, in all' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  maxRedemptions?: number;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000, default: 1, description: 'Orders one customer may place with it' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxPerCustomer?: number;
}

export class DiscountCodeDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ minLength: 3, maxLength: 32, pattern: CODE_PATTERN.source, example: 'SPRING10' })
  code: string;

  @ApiProperty({ enum: ['percent', 'fixed'] })
  kind: DiscountKind;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_FIXED_CENTS })
  value: number;

  @ApiProperty({ ...CENTS, nullable: true, type: 'integer' })
  minSubtotalCents: number | null;

  @ApiProperty({ ...TIMESTAMP, nullable: true, type: 'string' })
  startsAt: string | null;

  @ApiProperty({ ...TIMESTAMP, nullable: true, type: 'string' })
  endsAt: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000_000, nullable: true })
  maxRedemptions: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000 })
  maxPerCustomer: number;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ ...COUNT, description: 'Orders carrying it that are not cancelled' })
  redemptions: number;
}

export class DiscountCodePageDto {
  @ApiProperty({ type: [DiscountCodeDto], maxItems: 100, description: 'By code, case-insensitively' })
  items: DiscountCodeDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class DiscountCodesQueryDto extends PageQueryDto {}
