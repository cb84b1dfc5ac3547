import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';
import { CENTS, COUNT, COUNTRY, CURRENCY, CUSTOMER_ID, TIMESTAMP, UUID, VERSION } from '../../http/openapi/schemas.js';
import type { OrderItem, OrderView } from './order.view.js';

const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
type ListedStatus = (typeof ORDER_STATUSES)[number];

export class OrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ ...CUSTOMER_ID, description: "Admins only: that customer's orders. A customer may pass only its own id (403 otherwise)." })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customerId?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: ListedStatus;

  @ApiPropertyOptional({ ...TIMESTAMP, description: 'ISO 8601 time: orders placed at or after it (inclusive)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ ...TIMESTAMP, description: 'ISO 8601 time: orders placed before it (exclusive)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class OrderSummaryDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty(CUSTOMER_ID)
  customerId: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status: ListedStatus;

  @ApiProperty({ ...CENTS, description: 'What the customer agreed to pay, in minor units', example: 2598 })
  totalCents: number;

  @ApiProperty(CURRENCY)
  currency: string;

  @ApiProperty({ ...COUNT, description: "Sum of the lines' quantities", example: 2 })
  itemCount: number;

  @ApiProperty(TIMESTAMP)
  placedAt: string;

  @ApiProperty({ ...TIMESTAMP, description: "The time of the order's last change" })
  updatedAt: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderSummaryDto], maxItems: 100, description: 'Newest first' })
  items: OrderSummaryDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class OrderItemDto implements OrderItem {
  @ApiProperty(UUID)
  productId: string;

  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'As at checkout', example: 'MUG-RED' })
  sku: string;

  @ApiProperty({ maxLength: 200, description: 'As at checkout', example: 'Red mug' })
  name: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, example: 2 })
  quantity: number;

  @ApiProperty({ ...CENTS, description: 'The price the order was placed at', example: 1299 })
  unitPriceCents: number;

  @ApiProperty({ ...CENTS, example: 2598 })
  lineTotalCents: number;
}

export class OrderShippingAddressDto {
  @ApiProperty({ maxLength: 200, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ maxLength: 200, example: '12 Analytical St' })
  line1: string;

  @ApiPropertyOptional({ maxLength: 200 })
  line2?: string;

  @ApiProperty({ maxLength: 100, example: 'London' })
  city: string;

  @ApiProperty({ maxLength: 20, example: 'N1 9GU' })
  postalCode: string;

  @ApiProperty(COUNTRY)
  country: string;
}

/** The whole order. Optional fields are absent until the event that sets them has happened. */
export class OrderShippingMethodDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 32, pattern: '^[A-Z0-9_-]+$', example: 'STANDARD' })
  code: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  name: string;
}

export class OrderDto extends OrderSummaryDto implements OrderView {
  @ApiProperty({ type: [OrderItemDto], maxItems: 100 })
  items: OrderItemDto[];

  @ApiProperty({ ...CENTS, description: 'Sum of the lines' })
  subtotalCents: number;

  @ApiProperty({ ...CENTS, description: "The discount code's amount, never above the subtotal" })
  discountCents: number;

  @ApiPropertyOptional({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$', description: 'The code the order redeemed' })
  discountCode?: string;

  @ApiProperty({ ...CENTS, description: "The method's price, or 0 when free (or when no method served the country)" })
  shippingCents: number;

  @ApiPropertyOptional({ type: OrderShippingMethodDto, description: 'The method as it was when the order was placed' })
  shippingMethod?: OrderShippingMethodDto;

  @ApiProperty({ ...CENTS, description: 'round((subtotal - discount + shipping) x rate / 10000), half up' })
  taxCents: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 10000, description: "The shipping country's rate at checkout; 0 when it had none" })
  taxRateBasisPoints: number;

  @ApiProperty({ type: OrderShippingAddressDto })
  shippingAddress: OrderShippingAddressDto;

  @ApiPropertyOptional({ maxLength: 100 })
  paymentReference?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  carrier?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  trackingNumber?: string;

  @ApiPropertyOptional(TIMESTAMP)
  paidAt?: string;

  @ApiPropertyOptional(TIMESTAMP)
  shippedAt?: string;

  @ApiPropertyOptional(TIMESTAMP)
  deliveredAt?: string;

  @ApiPropertyOptional(TIMESTAMP)
  cancelledAt?: string;

  @ApiPropertyOptional({ maxLength: 500 })
  cancelReason?: string;

  @ApiProperty({ ...VERSION, minimum: 1, description: "The order's stream version" })
  version: number;
}
