import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { POSITION, UUID, VERSION } from './openapi/schemas.js';

/** The answer of every successful command (shared/spec/api.md, Conventions). */
export class CommandResultDto {
  @ApiProperty({ ...UUID, description: 'The aggregate id' })
  id: string;

  @ApiProperty({ ...VERSION, description: "The aggregate's stream version after the command", example: 1 })
  version: number;

  @ApiProperty({ ...POSITION, description: "Global log position of the command's last event (a bigint, as a decimal string)" })
  position: string;
}

/** Commands take no body properties, and reject any. */
@ApiSchema({ description: 'No properties: `{}`' })
export class EmptyBodyDto {}
