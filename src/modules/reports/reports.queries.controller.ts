import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../../http/auth.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { UsesReadModels } from '../../projections/projection.js';
import { ReportQueries } from './report-queries.js';
import { ReportRangeQueryDto, SalesReportDto, TopProductDto, TopProductsQueryDto } from './reports.query.dto.js';

@ApiTags('reports')
@Roles('admin')
@Controller('reports')
export class ReportsQueriesController {
  constructor(private readonly reports: ReportQueries) {}

  @Get('sales')
  @UsesReadModels('sales-report')
  @ApiRead({
    operationId: 'getSalesReport',
    summary: 'Sales per day',
    description: 'An order counts on the UTC day it was placed; cancelled orders count nowhere.',
    access: 'admin',
    type: SalesReportDto,
    readModels: true,
  })
  sales(@Query() range: ReportRangeQueryDto): Promise<SalesReportDto> {
    return this.reports.salesReport(range);
  }

  @Get('top-products')
  @UsesReadModels('sales-report')
  @ApiRead({
    operationId: 'getTopProducts',
    summary: 'Best-selling products',
    description: 'By items sold, then revenue, then product id.',
    access: 'admin',
    type: TopProductDto,
    maxItems: 100,
    readModels: true,
  })
  topProducts(@Query() { limit, ...range }: TopProductsQueryDto): Promise<TopProductDto[]> {
    return this.reports.topProducts(range, limit);
  }
}
