import type { ApiPropertyOptions } from '@nestjs/swagger';

/**
 * The contract's recurring value shapes, spread into `@ApiProperty`, so an integer is documented as an
 * integer with its range everywhere and a generated client gets the same type for the same thing.
 */
const shape = <T extends ApiPropertyOptions>(schema: T): T => schema;

const MAX_INT32 = 2_147_483_647;

export const UUID = shape({ type: 'string', format: 'uuid', maxLength: 36 });
/** A global log position: a bigint, so a decimal string. */
export const POSITION = shape({ type: 'string', pattern: '^[0-9]{1,19}$', maxLength: 19, example: '42' });
export const VERSION = shape({ type: 'integer', format: 'int32', minimum: 0, maximum: MAX_INT32 });
/** Money in minor units of the store currency; sums of lines may pass 32 bits. */
export const CENTS = shape({ type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const COUNT = shape({ type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const TIMESTAMP = shape({ type: 'string', format: 'date-time', maxLength: 40 });
export const DATE = shape({ type: 'string', format: 'date', maxLength: 10 });
export const CURRENCY = shape({ type: 'string', pattern: '^[A-Z]{3}$', maxLength: 3, example: 'USD' });
export const CUSTOMER_ID = shape({ type: 'string', minLength: 1, maxLength: 128, description: "The customer's id (the token's `sub`)" });
export const COUNTRY = shape({ type: 'string', pattern: '^[A-Za-z]{2}$', minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2 (any case)', example: 'GB' });
