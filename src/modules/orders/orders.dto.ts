import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CENTS, TIMESTAMP } from '../../http/openapi/schemas.js';

export class PayOrderDto {
  @ApiProperty({ ...CENTS, description: "Must equal the order's totalCents", example: 2598 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountCents: number;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'psp-ch_3N1x' })
  @IsString()
  @Length(1, 100)
  paymentReference: string;
}

export class ShipOrderDto {
  @ApiProperty({ minLength: 1, maxLength: 50, example: 'DHL' })
  @IsString()
  @Length(1, 50)
  carrier: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'JD014600006281230704' })
  @IsString()
  @Length(1, 100)
  trackingNumber: string;
}

export class CancelOrderDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Ordered the wrong size' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

/** Time travel: the order as of a point in time, or as of one of its versions. */
export class OrderAtQueryDto {
  @ApiPropertyOptional({ ...TIMESTAMP, description: 'ISO 8601 time', example: '2026-11-26T10:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  version?: number;
}
