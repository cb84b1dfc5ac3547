import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Appends no longer NOTIFY from a trigger. A transaction that has sent a NOTIFY takes a cluster-wide lock
 * at commit, so every append committed one at a time behind it (the add-item benchmark showed 9 of 20
 * connections waiting on it). The service now wakes its own projections in process after each append,
 * and tells other instances with one NOTIFY at most every few milliseconds, outside any append.
 */
export class NotifyOutsideAppends1764160000000 implements MigrationInterface {
  name = 'NotifyOutsideAppends1764160000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER events_notify ON events`);
    await db.query(`DROP FUNCTION events_notify`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('events_appended', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION events_notify()`);
  }
}
