/**
 * The few typed errors the domain and the kernel throw. `code` is the stable code clients match on; the
 * kernel knows no transport, so the HTTP error filter maps each code to the contract's status.
 */
export abstract class DomainError extends Error {
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
  constructor(message = 'Not found') {
    super('NOT_FOUND', message);
  }
}

/** The current state forbids the command. */
export class ConflictError extends DomainError {}

/** The caller may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message = 'Forbidden') {
    super('FORBIDDEN', message);
  }
}

/** A conditional command (`If-Match`) found the aggregate at another version. */
export class WrongExpectedVersionError extends DomainError {
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
  constructor(message = 'The aggregate was changed concurrently; retry the command') {
    super('CONCURRENCY_CONFLICT', message);
  }
}
