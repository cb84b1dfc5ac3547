import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorDto } from '../error.dto.js';
import { ERROR_STATUS, STATUS_DESCRIPTION, type ErrorCode } from './error-codes.js';
import { EVERY_ANSWER_HEADERS, RETRY_AFTER_HEADERS } from './headers.js';

/**
 * Documents an operation's error answers: one response per status, each the shared `ErrorDto` with
 * `code` narrowed to the codes this operation answers with that status.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  return ApiErrorAnswers(codes.map((code) => [code, ERROR_STATUS[code]]));
}

/**
 * The same for codes with their statuses: a module's own conflict codes are not in ERROR_STATUS (a new
 * module edits nothing outside its folder) and answer 409, as the error filter's `domainStatus` gives them.
 */
export function ApiErrorAnswers(codes: ReadonlyArray<readonly [code: string, status: number]>): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of codes) {
    const statusCodes = byStatus.get(status) ?? [];
    if (!statusCodes.includes(code)) byStatus.set(status, [...statusCodes, code]);
  }
  const responses = [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: STATUS_DESCRIPTION[status] ?? 'Error',
        headers: status === 429 || status === 503 ? { ...EVERY_ANSWER_HEADERS, ...RETRY_AFTER_HEADERS } : EVERY_ANSWER_HEADERS,
        schema: {
          allOf: [{ $ref: getSchemaPath(ErrorDto) }, { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: statusCodes } } }],
          example: { statusCode: status, code: statusCodes[0], message: STATUS_DESCRIPTION[status] ?? 'Error' },
        },
      }),
    );
  return applyDecorators(ApiExtraModels(ErrorDto), ...responses);
}
