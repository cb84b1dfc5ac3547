import { ApiProperty } from '@nestjs/swagger';

export class CartItemDto {
  @ApiProperty({ format: 'uuid' })
  productId: string;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ minimum: 1, maximum: 1000 })
  quantity: number;

  @ApiProperty({ description: "The catalog's current price while the cart is open; the ordered price once checked out" })
  unitPriceCents: number;

  @ApiProperty()
  lineTotalCents: number;
}

export class CartDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  customerId: string;

  @ApiProperty({ enum: ['open', 'checked_out'] })
  status: 'open' | 'checked_out';

  @ApiProperty({ type: [CartItemDto], description: 'In the order the products were first added' })
  items: CartItemDto[];

  @ApiProperty()
  totalCents: number;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ description: "The cart's stream version" })
  version: number;
}
