import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { COUNTRY, UUID } from '../../http/openapi/schemas.js';

export const MAX_SHIPPING_PRICE_CENTS = 1_000_000;
export const MAX_FREE_OVER_CENTS = 100_000_000;
const CODE_PATTERN = /^[A-Z0-9_-]+$/;

const COUNTRIES = {
  type: 'array',
  minItems: 1,
  maxItems: 250,
  items: { type: 'string', pattern: COUNTRY.pattern, minLength: 2, maxLength: 2 },
  description: 'ISO 3166-1 alpha-2 codes (any case; stored upper case)',
  example: ['GB', 'FR'],
} as const;
const PRICE = { type: 'integer', format: 'int32', minimum: 0, maximum: MAX_SHIPPING_PRICE_CENTS, example: 499 } as const;
const FREE_OVER = {
  type: 'integer',
  format: 'int32',
  minimum: 1,
  maximum: MAX_FREE_OVER_CENTS,
  description: 'Shipping is free when the subtotal after discount is at least this',
  example: 5000,
} as const;

export class CreateShippingMethodDto {
  @ApiProperty({ minLength: 1, maxLength: 32, pattern: CODE_PATTERN.source, example: 'STANDARD' })
  @IsString()
  @Length(1, 32)
  @Matches(CODE_PATTERN, { message: 'code may only contain A-Z, 0-9, - and _' })
  code: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Standard (3-5 days)' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty(PRICE)
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_PRICE_CENTS)
  priceCents: number;

  @ApiPropertyOptional(FREE_OVER)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FREE_OVER_CENTS)
  freeOverCents?: number;

  @ApiProperty(COUNTRIES)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @IsISO31661Alpha2({ each: true })
  countries: string[];
}

export class UpdateShippingMethodDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional(PRICE)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_PRICE_CENTS)
  priceCents?: number;

  // IsOptional lets null through: null clears the threshold (the hygiene check allows it only here).
  @ApiPropertyOptional({ ...FREE_OVER, nullable: true, description: 'null clears the threshold' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FREE_OVER_CENTS)
  freeOverCents?: number | null;

  @ApiPropertyOptional(COUNTRIES)
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @IsISO31661Alpha2({ each: true })
  countries?: string[];

  @ApiPropertyOptional({ type: Boolean, description: 'An inactive method is offered to no one' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class SetTaxRateDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 10000, description: '2000 is 20%', example: 2000 })
  @IsInt()
  @Min(0)
  @Max(10000)
  rateBasisPoints: number;
}

export class ShippingMethodsQueryDto {
  @ApiPropertyOptional({ ...COUNTRY, description: 'Only the active methods serving this country' })
  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;
}

export class ShippingMethodDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 32, pattern: CODE_PATTERN.source, example: 'STANDARD' })
  code: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  name: string;

  @ApiProperty(PRICE)
  priceCents: number;

  @ApiProperty({ ...FREE_OVER, nullable: true, type: 'integer' })
  freeOverCents: number | null;

  @ApiProperty({ ...COUNTRIES, description: 'ISO 3166-1 alpha-2 codes, upper case', items: { type: 'string', pattern: '^[A-Z]{2}$', minLength: 2, maxLength: 2 } })
  countries: string[];

  @ApiProperty()
  active: boolean;
}

export class TaxRateDto {
  @ApiProperty({ type: 'string', pattern: '^[A-Z]{2}$', minLength: 2, maxLength: 2, example: 'GB' })
  country: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 10000, example: 2000 })
  rateBasisPoints: number;
}
