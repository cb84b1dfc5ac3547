import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COUNT, POSITION } from '../openapi/schemas.js';
import type { ProjectionState, ProjectionStatus } from '../../projections/projection-status.js';

const PROJECTION_NAME = { maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$', example: 'order-summary' };

export class ProjectionStatusDto implements ProjectionStatus {
  @ApiProperty(PROJECTION_NAME)
  name: string;

  @ApiProperty({ ...POSITION, description: 'Global position of the last applied event (a decimal string: it is a bigint)', example: '1042' })
  position: string;

  @ApiProperty({ ...POSITION, description: 'The highest position in the log', example: '1050' })
  headPosition: string;

  @ApiProperty({ ...COUNT, description: 'Events after the checkpoint, in log order', example: 8 })
  lag: number;

  @ApiProperty({ enum: ['running', 'rebuilding', 'failed'] })
  status: ProjectionState;

  @ApiPropertyOptional({ description: 'Why the projection (or its last rebuild) failed' })
  lastError?: string;
}

export class RebuildAcceptedDto {
  @ApiProperty(PROJECTION_NAME)
  name: string;

  @ApiProperty({ enum: ['rebuilding'] })
  status: 'rebuilding';
}
