import { ApiProperty } from '@nestjs/swagger';

/** `GET /health` when ready (the @nestjs/terminus shape). */
export class HealthDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Each healthy check, by name (e.g. `database: {status: "up"}`)' })
  info: object;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Each failing check, by name (none when ready)' })
  error: object;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Every check, by name' })
  details: object;
}

/** `GET /health/live`: the process runs. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}
