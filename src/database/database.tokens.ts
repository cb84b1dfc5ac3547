/** The pg pool under TypeORM's DataSource: the event store and projections share it with TypeORM. */
export const PG_POOL = Symbol('PG_POOL');
