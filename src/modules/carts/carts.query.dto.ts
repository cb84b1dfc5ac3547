import { ApiProperty } from '@nestjs/swagger';
import { CENTS, CURRENCY, CUSTOMER_ID, UUID, VERSION } from '../../http/openapi/schemas.js';
import { MAX_CART_LINES } from './cart.decider.js';

export class CartItemDto {
  @ApiProperty(UUID)
  productId: string;

  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', example: 'MUG-RED' })
  sku: string;

  @ApiProperty({ maxLength: 200, example: 'Red mug' })
  name: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, example: 2 })
  quantity: number;

  @ApiProperty({ ...CENTS, description: "The catalog's current price while the cart is open; the ordered price once checked out", example: 1299 })
  unitPriceCents: number;

  @ApiProperty({ ...CENTS, example: 2598 })
  lineTotalCents: number;
}

export class CartDiscountDto {
  @ApiProperty({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$', example: 'SPRING10' })
  code: string;

  @ApiProperty({ ...CENTS, example: 260 })
  amountCents: number;
}

export class CartDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty(CUSTOMER_ID)
  customerId: string;

  @ApiProperty({ enum: ['open', 'checked_out'] })
  status: 'open' | 'checked_out';

  @ApiProperty({ type: [CartItemDto], maxItems: MAX_CART_LINES, description: 'In the order the products were first added' })
  items: CartItemDto[];

  @ApiProperty({ ...CENTS, description: 'Sum of the lines', example: 2598 })
  subtotalCents: number;

  @ApiProperty({ type: CartDiscountDto, nullable: true, description: 'The code the cart holds and what it takes off the subtotal; checkout checks it again' })
  discount: CartDiscountDto | null;

  @ApiProperty({ ...CENTS, description: 'subtotalCents minus the discount (shipping and tax are known at checkout)', example: 2598 })
  totalCents: number;

  @ApiProperty(CURRENCY)
  currency: string;

  @ApiProperty({ ...VERSION, minimum: 1, description: "The cart's stream version" })
  version: number;
}
