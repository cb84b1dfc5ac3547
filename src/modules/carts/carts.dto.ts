import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsISO31661Alpha2, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { COUNTRY, POSITION, UUID, VERSION } from '../../http/openapi/schemas.js';
import { MAX_LINE_QUANTITY } from './cart.decider.js';

export class AddItemDto {
  @ApiProperty(UUID)
  @IsUUID()
  productId: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_LINE_QUANTITY, example: 2 })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class SetItemQuantityDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_LINE_QUANTITY, description: '0 removes the line', example: 3 })
  @IsInt()
  @Min(0)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class ShippingAddressDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  line1: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  line2?: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  city: string;

  @ApiProperty({ minLength: 1, maxLength: 20 })
  @IsString()
  @Length(1, 20)
  postalCode: string;

  @ApiProperty(COUNTRY)
  @IsISO31661Alpha2()
  country: string;
}

export class CheckoutDto {
  @ApiProperty({ type: ShippingAddressDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  shippingAddress: ShippingAddressDto;

  @ApiPropertyOptional({ ...UUID, description: "Required (400 otherwise) when an active shipping method serves the address's country; without one, shipping costs 0" })
  @IsOptional()
  @IsUUID()
  shippingMethodId?: string;
}

export class ApplyDiscountDto {
  @ApiProperty({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$', description: 'Case-insensitive', example: 'SPRING10' })
  @IsString()
  @Length(1, 32)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'code may only contain letters, digits, - and _' })
  code: string;
}

export class CheckoutResultDto {
  @ApiProperty({ ...UUID, description: 'The new order' })
  id: string;

  @ApiProperty(UUID)
  cartId: string;

  @ApiProperty({ ...VERSION, description: "The order's stream version", example: 1 })
  version: number;

  @ApiProperty({ ...POSITION, description: "Global log position of checkout's last event" })
  position: string;
}
