import type { Type } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { migrations as kernelMigrations } from './migrations/index.js';

/** A migration class as TypeORM takes it. Its name ends with the 13-digit timestamp that orders it. */
export type MigrationClass = new () => MigrationInterface;

/**
 * A domain module's class as app.module.ts lists it. The module owns its tables: its `migrations` (in its
 * folder, `migrations/<timestamp>-<what>.ts`) create and change them, and come with its registration.
 */
export interface DomainModule extends Type {
  readonly migrations?: readonly MigrationClass[];
}

/**
 * Every migration an app made of these modules runs at start: the kernel's (src/database/migrations/)
 * and each module's, oldest first. TypeORM runs the ones a database has not recorded, by name.
 */
export function migrationsOf(modules: readonly DomainModule[]): MigrationClass[] {
  return [...kernelMigrations, ...modules.flatMap((module) => module.migrations ?? [])].sort((a, b) => timestampOf(a) - timestampOf(b));
}

function timestampOf(migration: MigrationClass): number {
  return Number(migration.name.slice(-13));
}

/**
 * The central migrations that created every module's tables at once, before modules owned their tables.
 * Databases migrated then recorded these names, and have the tables that the modules' first migrations
 * now create.
 */
export const CENTRAL_MIGRATIONS = {
  /** product_skus. */
  writeSide: 'WriteSide1764130050000',
  /** products_view, carts_view, cart_lines_view, order_summaries, sales_daily, product_sales_daily, sales_orders. */
  readModels: 'ReadModels1764130100000',
} as const;

/**
 * Whether this database recorded the migration `name` as run. A module's first migration skips creating
 * tables that a central migration (CENTRAL_MIGRATIONS) already created here; a new module never needs it.
 */
export async function hasRun(db: QueryRunner, name: string): Promise<boolean> {
  const table = db.connection.options.migrationsTableName ?? 'migrations';
  const rows: unknown[] = await db.query(`SELECT 1 FROM ${table} WHERE name = $1`, [name]);
  return rows.length > 0;
}
