/**
 * The few typed errors the domain and the kernel throw. The HTTP error filter maps each class to the
 * contract's status; `code` is the stable code clients match on.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or is not the caller's to see (its existence is not revealed). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(message = 'Not found') {
    super('NOT_FOUND', message);
  }
}

/** The current state forbids the command. */
export class ConflictError extends DomainError {
  readonly status = 409;
}

/** The caller may not do this. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  constructor(message = 'Forbidden') {
    super('FORBIDDEN', message);
  }
}

/** A conditional command (`If-Match`) found the aggregate at another version. */
export class WrongExpectedVersionError extends DomainError {
  readonly status = 412;
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super('WRONG_EXPECTED_VERSION', `Expected version ${expected} but the aggregate is at version ${actual}`);
  }
}

/** Another writer appended to a stream between our read and our write, and retrying did not help. */
export class ConcurrencyError extends DomainError {
  readonly status = 409;
  constructor(message = 'The aggregate was changed concurrently; retry the command') {
    super('CONCURRENCY_CONFLICT', message);
  }
}
