import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, Matches, ValidateBy } from 'class-validator';
import { PageQueryDto } from '../../http/page-cursor.js';
import { POSITION, TIMESTAMP, UUID } from '../../http/openapi/schemas.js';

const EVENT_TYPE = /^(\*|[A-Za-z][A-Za-z0-9_.-]{0,99})$/;
const EVENT_TYPES = {
  type: 'array',
  items: { type: 'string', maxLength: 100, pattern: EVENT_TYPE.source },
  minItems: 1,
  maxItems: 100,
  description: 'The event types to deliver, or `["*"]` for all',
  example: ['OrderPlaced', 'OrderPaid'],
} as const;
const URL_SCHEMA = { type: 'string', format: 'uri', maxLength: 2000, example: 'https://hooks.example.com/eventshop' } as const;
const MAX_POSITION = 2n ** 63n - 1n;

const IsHttpUrl = () => IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true }, { message: 'url must be an http or https URL' });

function IsLogPosition(): PropertyDecorator {
  const validate = (value: unknown) => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION;
  return ValidateBy({ name: 'isLogPosition', validator: { validate } }, { message: 'fromPosition must be a position (an integer from 0 to 9223372036854775807, as a string)' });
}

export class CreateWebhookDto {
  @ApiProperty(URL_SCHEMA)
  @IsString()
  @Length(1, 2000)
  @IsHttpUrl()
  url: string;

  @ApiProperty(EVENT_TYPES)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'each event type must be a type name or *' })
  eventTypes: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional(URL_SCHEMA)
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @IsHttpUrl()
  url?: string;

  @ApiPropertyOptional(EVENT_TYPES)
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'each event type must be a type name or *' })
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;

  @ApiPropertyOptional({ description: '`true` resumes a disabled endpoint exactly where it stopped; `false` disables it' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ReplayWebhookDto {
  @ApiProperty({ ...POSITION, description: 'Deliver again every matching event from this log position on' })
  @IsLogPosition()
  fromPosition: string;
}

export class DeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['delivered', 'failed'] })
  @IsOptional()
  @IsIn(['delivered', 'failed'])
  status?: 'delivered' | 'failed';
}

/** An endpoint as admins see it: never its secret. */
export class WebhookDto {
  @ApiProperty(UUID) id: string;
  @ApiProperty(URL_SCHEMA) url: string;
  @ApiProperty(EVENT_TYPES) eventTypes: string[];
  @ApiProperty({ type: 'string', maxLength: 500, nullable: true }) description: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ enum: ['active', 'disabled'], description: '`disabled` after 12 failed attempts of one event, or by an admin' }) status: 'active' | 'disabled';
  @ApiProperty({ ...POSITION, description: 'Where delivery has got to in the log: the last event delivered or passed over (not of its types)' }) position: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 12, description: 'Failed attempts of the next event so far' }) failedAttempts: number;
  @ApiPropertyOptional({ maxLength: 1000, description: 'Why the last attempt failed, until one succeeds' }) lastError?: string;
  @ApiProperty(TIMESTAMP) createdAt: string;
}

/** The answer to creating an endpoint: the only time its secret is shown. */
export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ type: 'string', maxLength: 50, pattern: '^whsec_[A-Za-z0-9+/]{43}=$', description: 'The signing secret (Standard Webhooks); shown only here', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/2gQXN6ae0U=' })
  secret: string;
}

export class DeliveryDto {
  @ApiProperty(UUID) eventId: string;
  @ApiProperty({ type: 'string', maxLength: 100, example: 'OrderPlaced' }) type: string;
  @ApiProperty(POSITION) position: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647, description: "This event's attempt number" }) attempt: number;
  @ApiProperty({ enum: ['delivered', 'failed'] }) status: 'delivered' | 'failed';
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 100, maximum: 999, description: "The receiver's answer, when it answered" }) responseStatus?: number;
  @ApiPropertyOptional({ maxLength: 1000 }) error?: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 }) durationMs: number;
  @ApiProperty(TIMESTAMP) at: string;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto], maxItems: 100 }) items: DeliveryDto[];
  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 }) nextCursor: string | null;
}
