import { ApiProperty } from '@nestjs/swagger';
import type { EventMetadata, StoredEvent } from '../event-store/event.js';

/** An event as the API shows it (shared/spec/api.md, `Event`). */
export class EventDto {
  @ApiProperty({ example: '42' }) position: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ format: 'uuid' }) streamId: string;
  @ApiProperty({ example: 'order' }) streamType: string;
  @ApiProperty() version: number;
  @ApiProperty({ example: 'OrderPlaced' }) type: string;
  @ApiProperty() schemaVersion: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'correlationId, causationId, actor, ...' }) metadata: EventMetadata;
}

export function toEventDto(event: StoredEvent): EventDto {
  const { position, eventId, streamId, streamType, version, type, schemaVersion, occurredAt, data, metadata } = event;
  return { position, eventId, streamId, streamType, version, type, schemaVersion, occurredAt, data, metadata };
}
