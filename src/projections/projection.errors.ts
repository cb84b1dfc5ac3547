import { ConflictError, DomainError } from '../event-store/errors.js';

/** A read was asked to reflect a position (`X-Min-Position`) its read models had not applied in time. */
export class ProjectionLaggingError extends DomainError {
  constructor(position: string) {
    super('PROJECTION_LAGGING', `The read model has not caught up with position ${position} yet; retry shortly`);
  }
}

/** One rebuild of a projection at a time, across every instance. */
export class ProjectionRebuildingError extends ConflictError {
  constructor(name: string) {
    super('PROJECTION_REBUILDING', `Projection ${name} is already being rebuilt`);
  }
}
