import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PAGE_CURSOR_PATTERN } from '../../http/page-cursor.js';

export class ProductsQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive substring of the name or the SKU' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: "The previous page's nextCursor" })
  @IsOptional()
  @Matches(PAGE_CURSOR_PATTERN, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

export class ProductDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'MUG-RED' })
  sku: string;

  @ApiProperty({ example: 'Red mug' })
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'In minor units of currency', example: 1299 })
  priceCents: number;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty()
  stockOnHand: number;

  @ApiProperty({ description: 'On hand minus what open orders reserve' })
  stockAvailable: number;

  @ApiProperty({ description: "The product's stream version" })
  version: number;
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto], description: 'Ordered by SKU' })
  items: ProductDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
