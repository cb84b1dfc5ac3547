import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogController } from './catalog.controller.js';
import { catalogCommandHandlers } from './catalog.handlers.js';
import { CatalogQueries } from './catalog-queries.js';
import { CatalogProjection, ProductView } from './catalog.projection.js';
import { CatalogQueriesController } from './catalog.queries.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([ProductView])],
  controllers: [CatalogController, CatalogQueriesController],
  providers: [...catalogCommandHandlers, CatalogProjection, CatalogQueries],
})
export class CatalogModule {}
