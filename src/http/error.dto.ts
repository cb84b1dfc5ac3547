import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Every error answer (shared/spec/api.md, Conventions). Each operation narrows `code` to the codes it can
 * answer with that status (see `ApiErrors`).
 */
export class ErrorDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, description: 'The HTTP status, repeated', example: 409 })
  statusCode: number;

  @ApiProperty({ maxLength: 64, pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable code to match on', example: 'CART_EMPTY' })
  code: string;

  @ApiProperty({ description: 'Human-readable; may change between releases', example: 'The cart is empty' })
  message: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'Which fields failed validation (`{field, message}`), or which items a conflict concerns',
    example: [{ field: 'quantity', message: 'quantity must not be greater than 1000' }],
  })
  details?: object[];
}
