import { Buffer } from 'node:buffer';
import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** What a page cursor looks like on the wire: base64url, no padding. */
export const PAGE_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

/** `limit` and `cursor` of every paged list; a list's query DTO extends it. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ maxLength: 512, pattern: PAGE_CURSOR_PATTERN.source, description: "The previous page's nextCursor" })
  @IsOptional()
  @Matches(PAGE_CURSOR_PATTERN, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

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
