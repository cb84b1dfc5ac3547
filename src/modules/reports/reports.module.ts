import { Module } from '@nestjs/common';
import { ReportsQueriesController } from './reports.queries.controller.js';
import { ReportQueries } from './report-queries.js';
import { SalesReportProjection } from './sales-report.projection.js';

@Module({
  imports: [],
  controllers: [ReportsQueriesController],
  providers: [SalesReportProjection, ReportQueries],
})
export class ReportsModule {}
