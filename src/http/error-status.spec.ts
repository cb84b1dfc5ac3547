import { describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, ForbiddenError, NotFoundError, WrongExpectedVersionError } from '../event-store/errors.js';
import { ProjectionLaggingError, ProjectionRebuildingError } from '../projections/projection.errors.js';
import { domainStatus } from './error.filter.js';

describe('the status of a domain error, from its code', () => {
  it.each([
    ['NOT_FOUND', new NotFoundError(), 404],
    ['FORBIDDEN', new ForbiddenError(), 403],
    ['WRONG_EXPECTED_VERSION', new WrongExpectedVersionError('s', 1, 2), 412],
    ['CONCURRENCY_CONFLICT', new ConcurrencyError(), 409],
    ['PROJECTION_LAGGING', new ProjectionLaggingError('7'), 503],
    ['PROJECTION_REBUILDING', new ProjectionRebuildingError('carts'), 409],
    ['INSUFFICIENT_STOCK', new ConflictError('INSUFFICIENT_STOCK', 'no stock'), 409],
  ] as const)('%s is answered %i', (code, error, status) => {
    expect(error.code).toBe(code);
    expect(domainStatus(error)).toBe(status);
  });

  it("keeps a module's conflict code that the table does not list a 409", () => {
    expect(domainStatus(new ConflictError('PRODUCT_EXISTS', 'exists'))).toBe(409);
  });

  it('answers a 500 for an unknown code that is no conflict (a bug to fix, not a client error)', () => {
    class StrayError extends NotFoundError {
      override readonly code = 'STRAY';
    }
    expect(domainStatus(new StrayError())).toBe(500);
  });
});
