import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';
import { CENTS, COUNT, CURRENCY, UUID, VERSION } from '../../http/openapi/schemas.js';

export class ProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive substring of the name or the SKU', example: 'mug' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ProductDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', example: 'MUG-RED' })
  sku: string;

  @ApiProperty({ maxLength: 200, example: 'Red mug' })
  name: string;

  @ApiProperty({ maxLength: 2000, description: 'Empty when none was given' })
  description: string;

  @ApiProperty({ ...CENTS, description: 'In minor units of currency', example: 1299 })
  priceCents: number;

  @ApiProperty(CURRENCY)
  currency: string;

  @ApiProperty({ ...COUNT, example: 100 })
  stockOnHand: number;

  @ApiProperty({ ...COUNT, description: 'On hand minus what open orders reserve', example: 98 })
  stockAvailable: number;

  @ApiProperty({ ...VERSION, minimum: 1, description: "The product's stream version" })
  version: number;
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto], maxItems: 100, description: 'Ordered by SKU' })
  items: ProductDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
