import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CENTS } from '../../http/openapi/schemas.js';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min, NotEquals } from 'class-validator';

export const MAX_PRICE_CENTS = 100_000_000;
export const MAX_STOCK = 1_000_000;

export class CreateProductDto {
  @ApiProperty({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', example: 'MUG-RED' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'sku may only contain letters, digits, - and _' })
  sku: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Red mug' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiProperty({ ...CENTS, maximum: MAX_PRICE_CENTS, example: 1299 })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_STOCK, example: 100 })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock: number;
}

export class UpdateProductDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Red mug, large' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;

  @ApiPropertyOptional({ ...CENTS, maximum: MAX_PRICE_CENTS, example: 1499 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents?: number;
}

export class AdjustStockDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: -MAX_STOCK,
    maximum: MAX_STOCK,
    not: { enum: [0] },
    description: 'Units to add (positive) or remove (negative); not zero',
    example: 25,
  })
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  delta: number;
}
