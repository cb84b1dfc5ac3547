/**
 * NUL, or a surrogate half without its partner. PostgreSQL stores neither (text refuses NUL; UTF-8 has no
 * encoding for a lone surrogate), so such strings must be refused at the edge, not discovered as a 500.
 * Without the `u` flag the pattern sees UTF-16 code units, which is what lets it spot unpaired halves.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether the database can store this string as text. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}
