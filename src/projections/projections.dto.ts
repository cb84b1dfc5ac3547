import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ProjectionState, ProjectionStatus } from './projection-runner.js';

export class ProjectionStatusDto implements ProjectionStatus {
  @ApiProperty({ example: 'order-summary' })
  name: string;

  @ApiProperty({ description: 'Global position of the last applied event (a decimal string: it is a bigint)', example: '1042' })
  position: string;

  @ApiProperty({ description: 'The highest position in the log', example: '1050' })
  headPosition: string;

  @ApiProperty({ description: 'Events after the checkpoint, in log order', example: 8 })
  lag: number;

  @ApiProperty({ enum: ['running', 'rebuilding', 'failed'] })
  status: ProjectionState;

  @ApiPropertyOptional({ description: 'Why the projection (or its last rebuild) failed' })
  lastError?: string;
}

export class RebuildAcceptedDto {
  @ApiProperty({ example: 'order-summary' })
  name: string;

  @ApiProperty({ enum: ['rebuilding'] })
  status: 'rebuilding';
}
