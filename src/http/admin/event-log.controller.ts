import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { Roles } from '../auth.js';
import { EventDto, toEventDto } from '../event.dto.js';
import { ApiRead } from '../openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../openapi/api-params.decorator.js';
import { POSITION, UUID } from '../openapi/schemas.js';
import { UuidParamPipe } from '../uuid-param.pipe.js';
import { NotFoundError } from '../../event-store/errors.js';
import { EventStore } from '../../event-store/event-store.js';

/** The largest position PostgreSQL's bigint holds; a larger one would fail in the query (a 500). */
const MAX_POSITION = 2n ** 63n - 1n;

function IsLogPosition(options: ValidationOptions): PropertyDecorator {
  const validate = (value: unknown) => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_POSITION;
  return ValidateBy({ name: 'isLogPosition', validator: { validate } }, options);
}

export class EventLogQueryDto {
  @ApiPropertyOptional({ ...POSITION, description: 'List events after this position', example: '0' })
  @IsOptional()
  @IsLogPosition({ message: 'after must be a position (an integer from 0 to 9223372036854775807)' })
  after?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'OrderPlaced' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  type?: string;

  @ApiPropertyOptional(UUID)
  @IsOptional()
  @IsUUID()
  streamId?: string;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto], maxItems: 1000 })
  events: EventDto[];

  @ApiProperty({ ...POSITION, description: 'Pass as `after` for the next page', example: '100' })
  nextAfter: string;
}

/** The raw log, for auditing (admin only). */
@ApiTags('admin')
@Roles('admin')
@Controller('admin')
export class EventLogController {
  constructor(private readonly store: EventStore) {}

  @Get('events')
  @ApiRead({ operationId: 'listEvents', summary: 'Read the event log', description: 'Events in log order.', access: 'admin', type: EventPageDto, readModels: false })
  async list(@Query() query: EventLogQueryDto): Promise<EventPageDto> {
    const after = query.after ?? '0';
    const events = await this.store.listLog({ after, limit: query.limit ?? 100, type: query.type, streamId: query.streamId?.toLowerCase() });
    return { events: events.map(toEventDto), nextAfter: events.at(-1)?.position ?? after };
  }

  @Get('streams/:streamId')
  @ApiRead({ operationId: 'getStream', summary: "A stream's events", description: 'Oldest first.', access: 'admin', type: EventDto, isArray: true, readModels: false, errors: ['NOT_FOUND'] })
  @ApiUuidParam('streamId', 'The stream (an aggregate id)')
  async stream(@Param('streamId', UuidParamPipe) streamId: string): Promise<EventDto[]> {
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw new NotFoundError('No such stream');
    return events.map(toEventDto);
  }
}
