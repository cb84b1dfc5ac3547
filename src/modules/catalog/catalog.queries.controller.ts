import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../event-store/errors.js';
import { Public } from '../../http/auth.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { CatalogQueries } from './catalog.projection.js';
import { ProductDto, ProductPageDto, ProductsQueryDto } from './catalog.query.dto.js';

@ApiTags('catalog')
@Public()
@Controller('products')
export class CatalogQueriesController {
  constructor(private readonly catalog: CatalogQueries) {}

  @Get()
  @UsesReadModels('catalog')
  @ApiOkResponse({ type: ProductPageDto })
  search(@Query() query: ProductsQueryDto): Promise<ProductPageDto> {
    return this.catalog.searchProducts(query);
  }

  @Get(':id')
  @UsesReadModels('catalog')
  @ApiOkResponse({ type: ProductDto })
  @ApiNotFoundResponse({ description: 'No such product (also for an id that is not a UUID)' })
  async get(@Param('id', UuidParamPipe) id: string): Promise<ProductDto> {
    const product = await this.catalog.findProduct(id);
    if (!product) throw new NotFoundError('Product not found');
    return product;
  }
}
