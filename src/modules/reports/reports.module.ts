import { Module } from '@nestjs/common';
import { SalesReport1764130100004 } from './migrations/1764130100004-sales-report.js';
import { SalesPricing1764190200004 } from './migrations/1764190200004-sales-pricing.js';
import { ReportsQueriesController } from './reports.queries.controller.js';
import { ReportQueries } from './report-queries.js';
import { SalesReportProjection } from './sales-report.projection.js';

@Module({
  imports: [],
  controllers: [ReportsQueriesController],
  providers: [SalesReportProjection, ReportQueries],
})
export class ReportsModule {
  /** The migrations of its tables, run at start with the kernel's (see src/database/module-migrations.ts). */
  static readonly migrations = [SalesReport1764130100004, SalesPricing1764190200004];
}
