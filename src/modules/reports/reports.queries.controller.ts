import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../http/auth.js';
import { UsesReadModels } from '../../projections/projection.js';
import { ReportQueries } from './sales-report.projection.js';
import { ReportRangeQueryDto, SalesReportDto, TopProductDto, TopProductsQueryDto } from './reports.query.dto.js';

@ApiTags('reports')
@ApiBearerAuth()
@Roles('admin')
@Controller('reports')
export class ReportsQueriesController {
  constructor(private readonly reports: ReportQueries) {}

  @Get('sales')
  @UsesReadModels('sales-report')
  @ApiOkResponse({ type: SalesReportDto, description: 'An order counts on the UTC day it was placed; cancelled orders count nowhere' })
  sales(@Query() range: ReportRangeQueryDto): Promise<SalesReportDto> {
    return this.reports.salesReport(range);
  }

  @Get('top-products')
  @UsesReadModels('sales-report')
  @ApiOkResponse({ type: [TopProductDto], description: 'By items sold, then revenue, then product id' })
  topProducts(@Query() { limit, ...range }: TopProductsQueryDto): Promise<TopProductDto[]> {
    return this.reports.topProducts(range, limit);
  }
}
