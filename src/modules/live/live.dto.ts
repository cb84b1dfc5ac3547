import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, ValidateBy } from 'class-validator';
import { POSITION, TIMESTAMP } from '../../http/openapi/schemas.js';

const MAX_POSITION = 2n ** 63n - 1n;
export const isLogPosition = (value: unknown): value is string => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION;
const TICKET = { type: 'string', minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$', description: 'A ticket from `POST /stream-tickets`, in place of `Authorization`' } as const;

export class OrderLiveQueryDto {
  @ApiPropertyOptional(TICKET)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'ticket is not a ticket this API issued' })
  ticket?: string;
}

export class EventsLiveQueryDto extends OrderLiveQueryDto {
  @ApiPropertyOptional({ ...POSITION, description: 'Start after this position (default: from now on); `Last-Event-ID` takes precedence', example: '0' })
  @IsOptional()
  @ValidateBy({ name: 'isLogPosition', validator: { validate: isLogPosition } }, { message: 'after must be a position (an integer from 0 to 9223372036854775807)' })
  after?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'OrderPlaced' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  type?: string;
}

export class StreamTicketDto {
  @ApiProperty(TICKET) ticket: string;
  @ApiProperty({ ...TIMESTAMP, description: 'Valid until then (60 s), for one live stream request' }) expiresAt: string;
}
