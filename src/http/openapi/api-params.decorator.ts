import { ApiParam } from '@nestjs/swagger';
import { UUID } from './schemas.js';

/** A path id: a UUID (anything else answers 404, as an unknown id does). */
export function ApiUuidParam(name: string, description: string): MethodDecorator {
  return ApiParam({ name, description, schema: { ...UUID } as object });
}
