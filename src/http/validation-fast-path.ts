import { createRequire } from 'node:module';
import type { Type } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerMetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';

/**
 * class-transformer's own registry of @Type, @Transform, @Expose and @Exclude: the instance its
 * decorators and plainToInstance use (its CommonJS build, which `import 'class-transformer'` loads).
 * The package has no other way to read it, nor a declaration for this path.
 */
const transformerMetadata = (createRequire(import.meta.url)('class-transformer/cjs/storage.js') as { defaultMetadataStorage: TransformerMetadataStorage }).defaultMetadataStorage;

/**
 * Given a request's body or query, the DTO instance the full validation pass would give for it, or
 * undefined: not valid, or not a value this path can judge. It never refuses anything itself.
 */
export type FastPath = (value: unknown) => object | undefined;

type TypeMetadata = NonNullable<ReturnType<TransformerMetadataStorage['findTypeMetadata']>>;

interface Rule {
  readonly constraints: unknown[];
  readonly validateIf?: (object: unknown, value: unknown) => boolean;
  readonly validators: readonly ValidatorConstraintInterface[];
}

interface PropertyRules {
  /** @IsOptional and @ValidateIf: the property is checked only if all of them hold. */
  readonly conditions: Array<(object: unknown, value: unknown) => boolean>;
  /** @IsDefined and every other constraint: all must hold (the order cannot change that). */
  readonly rules: Rule[];
}

/**
 * The accepting half of class-transformer + class-validator, for a DTO whose rules are all synchronous
 * constraints on its own top-level properties (most of ours), and a value whose properties are all
 * strings, numbers, booleans or null (every valid body and query of such a DTO).
 *
 * Why: under the add-item load, the full pass (Nest's ValidationPipe, plainToInstance, then validate)
 * was a fifth of the request thread's CPU; most of it is the generic machinery around the constraint
 * checks, done again on every call (the class's metadata gathered and grouped, an instance built by
 * class-transformer, an error object per property), not the checks themselves.
 *
 * How it stays the same validation: it reads the class's rules from class-validator's own metadata,
 * as class-validator would for this call, and runs the very same constraint functions with the same
 * arguments. It only ever accepts: a value that fails any check, or that it cannot
 * judge (a nested object or array, an unknown property), goes through the full pass, which refuses it
 * with its usual errors. A DTO it cannot judge (nested DTOs, `each`, async constraints, any
 * class-transformer decorator but `@Type(() => Number)`, String or Boolean) has no fast path. On a flat
 * value, plainToInstance then amounts to `Object.assign(new Dto(), value)` and those conversions (a
 * list's `limit`, given as text in the query string). test/http/validation-pipe.test.ts
 * holds both passes to the same answers over every route DTO of the app.
 */
export function fastPathFor(metatype: Type<unknown>): FastPath | null {
  const storage = getMetadataStorage();
  // The rules class-validator's validate() reads for a class instance, with the pipe's options (no groups).
  const metadatas = storage.getTargetValidationMetadatas(metatype, undefined as unknown as string, false, false, undefined);
  const properties = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    if (metadata.each) return null;
    let property = properties.get(metadata.propertyName);
    if (!property) properties.set(metadata.propertyName, (property = { conditions: [], rules: [] }));
    switch (metadata.type) {
      case ValidationTypes.WHITELIST:
        break;
      case ValidationTypes.CONDITIONAL_VALIDATION:
        property.conditions.push(metadata.constraints[0] as (object: unknown, value: unknown) => boolean);
        break;
      case ValidationTypes.IS_DEFINED:
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
        if (constraints.some((constraint) => constraint.async)) return null;
        property.rules.push({ constraints: metadata.constraints, validateIf: metadata.validateIf, validators: constraints.map((constraint) => constraint.instance) });
        break;
      }
      default:
        return null; // nested or promise validation
    }
  }
  if (transformerMetadata.getStrategy(metatype) !== 'none') return null;
  const conversions: Array<[string, (value: string | number | boolean) => unknown]> = [];
  for (const name of properties.keys()) {
    if (
      transformerMetadata.findTransformMetadatas(metatype, name, TransformationType.PLAIN_TO_CLASS).length > 0 ||
      transformerMetadata.findExposeMetadata(metatype, name) ||
      transformerMetadata.findExcludeMetadata(metatype, name)
    ) {
      return null;
    }
    const type = transformerMetadata.findTypeMetadata(metatype, name);
    if (type) {
      const convert = primitiveConversion(type, name);
      if (!convert) return null;
      conversions.push([name, convert]);
    }
  }
  const checks = [...properties];
  return (value) => {
    if (!isFlatRecord(value)) return undefined;
    const entity = Object.assign(new metatype() as object, value) as Record<string, unknown>;
    // plainToInstance converts a typed property that the value holds, and leaves null as it is.
    for (const [name, convert] of conversions) {
      const given = value[name];
      if (Object.hasOwn(value, name) && given !== null) entity[name] = convert(given as string | number | boolean);
    }
    // whitelist + forbidNonWhitelisted: every property of the instance must have a rule.
    for (const name of Object.keys(entity)) if (!properties.has(name)) return undefined;
    for (const [name, { conditions, rules }] of checks) {
      const propertyValue = entity[name];
      if (!conditions.every((condition) => condition(entity, propertyValue))) continue;
      for (const rule of rules) {
        if (rule.validateIf && !rule.validateIf(entity, propertyValue)) continue;
        const args: ValidationArguments = { targetName: metatype.name, property: name, object: entity, value: propertyValue, constraints: rule.constraints };
        for (const validator of rule.validators) {
          const valid: unknown = validator.validate(propertyValue, args);
          if (!valid || valid instanceof Promise) return undefined;
        }
      }
    }
    return entity;
  };
}

/**
 * What plainToInstance does to a flat value of a property typed `@Type(() => Number)` (or String, or
 * Boolean): `Number(value)`, as its TransformOperationExecutor does for those targets. Any other @Type (a
 * class, a discriminator, a type function that needs the object) has no fast path.
 */
function primitiveConversion(type: TypeMetadata, property: string): ((value: string | number | boolean) => unknown) | null {
  if (type.options?.discriminator) return null;
  let target: unknown;
  try {
    target = type.typeFunction ? type.typeFunction({ newObject: undefined, object: undefined as unknown as Record<string, unknown>, property }) : type.reflectedType;
  } catch {
    return null;
  }
  if (target === Number) return Number;
  if (target === String) return String;
  if (target === Boolean) return Boolean;
  return null;
}

/** A plain object (JSON's, or Fastify's query) holding only strings, numbers, booleans and nulls. */
function isFlatRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (!isPlainPrototype(Object.getPrototypeOf(value))) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const property = (value as Record<string, unknown>)[key];
    if (property !== null && typeof property !== 'string' && typeof property !== 'number' && typeof property !== 'boolean') return false;
  }
  return true;
}

/**
 * Object.prototype, null, or an empty object with a null prototype: what JSON.parse, Object.create(null)
 * and Fastify's query-string parser (fast-querystring: `new Empty()`, `Empty.prototype = Object.create(null)`,
 * which is quicker to make than Object.create(null)) give. Nothing inherited can then pass for a field.
 */
function isPlainPrototype(prototype: unknown): boolean {
  if (prototype === Object.prototype || prototype === null) return true;
  return typeof prototype === 'object' && Object.getPrototypeOf(prototype) === null && Reflect.ownKeys(prototype).length === 0;
}
