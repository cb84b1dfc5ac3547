import { ApiProperty } from '@nestjs/swagger';

/** The answer of every successful command (shared/spec/api.md, Conventions). */
export class CommandResultDto {
  @ApiProperty({ format: 'uuid', description: 'The aggregate id' })
  id: string;

  @ApiProperty({ description: "The aggregate's stream version after the command" })
  version: number;

  @ApiProperty({ description: "Global log position of the command's last event (a bigint, as a decimal string)", example: '42' })
  position: string;
}

/** Commands take no body properties, and reject any. */
export class EmptyBodyDto {}
