import { BadRequestException, ValidationPipe, type ArgumentMetadata, type Type, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { fastPathFor, type FastPath } from './validation-fast-path.js';

/** Unknown properties are rejected, never stored; every failure answers 400 VALIDATION_FAILED with details. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: false,
  transform: true,
  exceptionFactory: (errors) => {
    const details = flatten(errors);
    return new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: details.map((d) => d.message).join('; ') || 'Validation failed',
      details,
    });
  },
};

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe(VALIDATION_OPTIONS);
}

/**
 * Nest's ValidationPipe, with two shortcuts that give the same answers.
 *
 * A valid flat body or query is accepted by validation-fast-path.ts, which runs the DTO's own
 * class-validator constraints without the machinery around them (a fifth of the request thread's CPU
 * under the add-item load); anything else, every refusal included, takes the full pass.
 *
 * And no pass over an empty query or body: most GETs carry no query string,
 * yet their query DTO went through class-transformer and class-validator on every request (a tenth of
 * a GET's CPU in bench/PROFILE.md). Whether a DTO accepts `{}` cannot change, so the first empty value
 * of each DTO goes through the full pass; if it passes and gives a plain new instance, later empty values
 * get a new instance at once. A DTO with a required field keeps failing through the full pass.
 */
class RequestValidationPipe extends ValidationPipe {
  private readonly emptyAccepted = new WeakMap<Type<unknown>, boolean>();
  private readonly fastPaths = new WeakMap<Type<unknown>, FastPath | null>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as Type<unknown> | undefined;
    // Only what Nest's own pass validates: a body or query typed by a DTO class (not String, Object, ...).
    if ((metadata.type !== 'query' && metadata.type !== 'body') || !metatype || !this.toValidate(metadata)) return super.transform(value, metadata);
    if (!isEmptyObject(value)) return this.fastPath(metatype)?.(value) ?? super.transform(value, metadata);
    const accepted = this.emptyAccepted.get(metatype);
    if (accepted) return new metatype();
    if (accepted === false) return super.transform(value, metadata);
    try {
      const result = await super.transform(value, metadata);
      this.emptyAccepted.set(metatype, result instanceof metatype && sameFields(result as object, new metatype() as object));
      return result;
    } catch (error) {
      this.emptyAccepted.set(metatype, false);
      throw error;
    }
  }

  private fastPath(metatype: Type<unknown>): FastPath | null {
    let path = this.fastPaths.get(metatype);
    if (path === undefined) this.fastPaths.set(metatype, (path = fastPathFor(metatype)));
    return path;
  }
}

/** `{}` as Fastify parses an empty query string (an object with nothing in its prototype chain) or an empty JSON body. */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

function sameFields(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && Object.keys(a).length === Object.keys(b).length;
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
