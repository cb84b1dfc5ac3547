import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  example?: unknown;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Characters that have broken services before: NUL, lone surrogates, BOM, RTL marks, emoji, combining marks. */
const oddCharacter = fc.constantFrom('\u0000', '\ud800', '\udfff', '\ufeff', '\u202e', '\u200b', '😀', 'e\u0301', '\u00ff', '\\', '"', "'", '%', '{', '[', '\n');
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Strings no schema asks for: odd unicode, any UTF-16 code unit, very long, SQL-ish and path-ish text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: oddCharacter, maxLength: 8 }),
  fc.string({ unit: anyCodeUnit, maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', 'x'.repeat(5000), "' OR 1=1 --", '../../etc/passwd', '%00', 'null', '-1', '1e309', '9223372036854775808', 'NaN'),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, -0, 0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON nested `depth` levels deep, around and beyond the service's limit. */
export const deepJson = fc
  .tuple(fc.integer({ min: 20, max: 3000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => ({ depth, text: open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth) }));

/** Any JSON value, wrong types and nulls included. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  hostileNumber,
  hostileString,
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Values for schemas of a document: valid ones with their boundaries, and with `hostile`, anything else too. */
export class SchemaArbitraries {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly hostile: boolean,
  ) {}

  resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 10; hops++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      current = this.document.components?.schemas?.[name] ?? {};
    }
    if (current.allOf?.length) return Object.assign({}, ...current.allOf.map((s) => this.resolve(s))) as Schema;
    return current;
  }

  value(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
    if (!this.hostile) return this.valid(schema, depth);
    return fc.oneof({ weight: 3, arbitrary: this.valid(schema, depth) }, { weight: 1, arbitrary: wrongValue });
  }

  private valid(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
    if (!schema) return this.hostile ? wrongValue : fc.constant({});
    const s = this.resolve(schema);
    const variants = s.oneOf ?? s.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => this.valid(v, depth)));
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    switch (s.type) {
      case 'integer':
      case 'number':
        return this.number(s);
      case 'boolean':
        return fc.boolean();
      case 'string':
        return this.string(s);
      case 'array':
        return depth > 4 ? fc.constant([]) : fc.array(this.value(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
      case 'object':
      default:
        return depth > 4 ? fc.constant({}) : this.object(s, depth);
    }
  }

  private number(s: Schema): fc.Arbitrary<number> {
    const min = s.minimum ?? -1_000_000;
    const max = s.maximum ?? 1_000_000;
    const valid = fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }), fc.constantFrom(min, max));
    return this.hostile ? fc.oneof(valid, fc.constantFrom(min - 1, max + 1), hostileNumber) : valid;
  }

  private string(s: Schema): fc.Arbitrary<string> {
    const sized = { minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 300) };
    const options: fc.Arbitrary<string>[] = [fc.string(sized)];
    if (this.hostile) options.push(hostileString);
    if (typeof s.example === 'string') options.push(fc.constant(s.example));
    if (s.format === 'uuid') options.push(fc.uuid());
    if (s.format === 'date') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
    if (s.format === 'date-time') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
    if (s.pattern) options.push(fc.stringMatching(new RegExp(s.pattern), { maxLength: sized.maxLength }));
    if (s.maxLength !== undefined) options.push(fc.constant('x'.repeat(s.maxLength)));
    if (s.maxLength !== undefined && this.hostile) options.push(fc.constant('x'.repeat(s.maxLength + 1)));
    // A pattern or a format is what a valid value must match, so a free-form string is not valid then.
    // Without a pattern or format to follow, the document's example is the one value known to be valid.
    return this.hostile ? fc.oneof(...options) : fc.oneof(...options.slice(s.pattern || s.format || typeof s.example === 'string' ? 1 : 0));
  }

  private object(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties = s.properties ?? {};
    const fields = Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, this.value(p, depth + 1)]));
    const required = (s.required ?? []).filter((name) => name in fields);
    const known = fc.record(fields, { requiredKeys: required });
    const anyKeys = fc.record(fields, { requiredKeys: [] });
    if (!this.hostile) return known;
    const extra = fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'owner', 'status', 'totalCents')), wrongValue, { maxKeys: 2 });
    return fc.oneof(
      { weight: 4, arbitrary: known },
      { weight: 1, arbitrary: anyKeys },
      { weight: 1, arbitrary: fc.tuple(known, extra).map(([a, b]) => ({ ...a, ...b })) },
    );
  }
}
