import { ApiProperty } from '@nestjs/swagger';
import type { EventMetadata, StoredEvent } from '../event-store/event.js';
import { POSITION, TIMESTAMP, UUID, VERSION } from './openapi/schemas.js';

const NAME = { type: 'string', maxLength: 100, pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' } as const;

/** An event as the API shows it (shared/spec/api.md, `Event`). */
export class EventDto {
  @ApiProperty(POSITION) position: string;
  @ApiProperty(UUID) eventId: string;
  @ApiProperty(UUID) streamId: string;
  @ApiProperty({ ...NAME, example: 'order' }) streamType: string;
  @ApiProperty({ ...VERSION, minimum: 1 }) version: number;
  @ApiProperty({ ...NAME, example: 'OrderPlaced' }) type: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000 }) schemaVersion: number;
  @ApiProperty(TIMESTAMP) occurredAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data, as its type defines it" }) data: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'correlationId, causationId, actor, ...' }) metadata: EventMetadata;
}

export function toEventDto(event: StoredEvent): EventDto {
  const { position, eventId, streamId, streamType, version, type, schemaVersion, occurredAt, data, metadata } = event;
  return { position, eventId, streamId, streamType, version, type, schemaVersion, occurredAt, data, metadata };
}
