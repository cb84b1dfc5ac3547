import { BadRequestException, ValidationPipe, type ArgumentMetadata, type Type, type ValidationError } from '@nestjs/common';

/** Unknown properties are rejected, never stored; every failure answers 400 VALIDATION_FAILED with details. */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
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
  });
}

/**
 * Nest's ValidationPipe, minus the pass over an empty query or body: most GETs carry no query string,
 * yet their query DTO went through class-transformer and class-validator on every request (a tenth of
 * a GET's CPU in bench/PROFILE.md). Whether a DTO accepts `{}` cannot change, so the first empty value
 * of each DTO goes through the full pass; if it passes and gives a plain new instance, later empty values
 * get a new instance at once. A DTO with a required field keeps failing through the full pass.
 */
class RequestValidationPipe extends ValidationPipe {
  private readonly emptyAccepted = new WeakMap<Type<unknown>, boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as Type<unknown> | undefined;
    if ((metadata.type !== 'query' && metadata.type !== 'body') || !metatype || !isEmptyObject(value)) return super.transform(value, metadata);
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
}

/** `{}` as Fastify parses an empty query string (a null-prototype object) or an empty JSON body. */
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
