import { Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller.js';
import { catalogCommandHandlers } from './catalog.handlers.js';
import { CatalogQueries } from './catalog-queries.js';
import { CatalogProjection } from './catalog.projection.js';
import { CatalogQueriesController } from './catalog.queries.controller.js';
import { CatalogSkus1764130050001 } from './migrations/1764130050001-catalog-skus.js';
import { CatalogReadModel1764130100001 } from './migrations/1764130100001-catalog-read-model.js';

@Module({
  controllers: [CatalogController, CatalogQueriesController],
  providers: [...catalogCommandHandlers, CatalogProjection, CatalogQueries],
})
export class CatalogModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [CatalogSkus1764130050001, CatalogReadModel1764130100001];
}
