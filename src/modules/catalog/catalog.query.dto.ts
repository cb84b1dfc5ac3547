import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';

export class ProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive substring of the name or the SKU' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
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
