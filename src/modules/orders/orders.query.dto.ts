import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';
import type { OrderItem, OrderView } from './order.view.js';

const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
type ListedStatus = (typeof ORDER_STATUSES)[number];

export class OrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "Admins only: that customer's orders. A customer may pass only its own id (403 otherwise)." })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customerId?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: ListedStatus;

  @ApiPropertyOptional({ description: 'ISO 8601 time: orders placed at or after it (inclusive)', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time: orders placed before it (exclusive)', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class OrderSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  customerId: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status: ListedStatus;

  @ApiProperty({ description: 'What the customer agreed to pay, in minor units' })
  totalCents: number;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ description: "Sum of the lines' quantities" })
  itemCount: number;

  @ApiProperty({ format: 'date-time' })
  placedAt: string;

  @ApiProperty({ format: 'date-time', description: "The time of the order's last change" })
  updatedAt: string;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderSummaryDto], description: 'Newest first' })
  items: OrderSummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class OrderItemDto implements OrderItem {
  @ApiProperty({ format: 'uuid' })
  productId: string;

  @ApiProperty({ description: 'As at checkout' })
  sku: string;

  @ApiProperty({ description: 'As at checkout' })
  name: string;

  @ApiProperty()
  quantity: number;

  @ApiProperty({ description: 'The price the order was placed at' })
  unitPriceCents: number;

  @ApiProperty()
  lineTotalCents: number;
}

export class OrderShippingAddressDto {
  @ApiProperty()
  name: string;

  @ApiProperty()
  line1: string;

  @ApiPropertyOptional()
  line2?: string;

  @ApiProperty()
  city: string;

  @ApiProperty()
  postalCode: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'GB' })
  country: string;
}

/** The whole order. Optional fields are absent until the event that sets them has happened. */
export class OrderDto extends OrderSummaryDto implements OrderView {
  @ApiProperty({ type: [OrderItemDto] })
  items: OrderItemDto[];

  @ApiProperty({ type: OrderShippingAddressDto })
  shippingAddress: OrderShippingAddressDto;

  @ApiPropertyOptional()
  paymentReference?: string;

  @ApiPropertyOptional()
  carrier?: string;

  @ApiPropertyOptional()
  trackingNumber?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  paidAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  shippedAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  deliveredAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  cancelledAt?: string;

  @ApiPropertyOptional()
  cancelReason?: string;

  @ApiProperty({ description: "The order's stream version" })
  version: number;
}
