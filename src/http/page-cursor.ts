import { Buffer } from 'node:buffer';
import { BadRequestException } from '@nestjs/common';

/** What a page cursor looks like on the wire: base64url, no padding. */
export const PAGE_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * A keyset page cursor: the sort key of a page's last row, as base64url JSON. Opaque to clients; the
 * next page starts strictly after that key, so pages neither skip nor repeat rows under concurrent writes.
 */
export function encodePageCursor(keyset: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(keyset)).toString('base64url');
}

/**
 * The keyset a cursor carries, checked by `parse` (which answers undefined for a keyset of the wrong
 * shape). A cursor we did not issue answers 400, like any bad query parameter.
 */
export function decodePageCursor<K>(cursor: string, parse: (keyset: unknown) => K | undefined): K {
  let keyset: K | undefined;
  try {
    keyset = parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    keyset = undefined;
  }
  if (keyset === undefined) {
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: 'cursor is not a cursor this API issued',
      details: [{ field: 'cursor', message: 'cursor is not a cursor this API issued' }],
    });
  }
  return keyset;
}
