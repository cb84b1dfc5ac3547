import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../../event-store/errors.js';
import { Public } from '../../http/auth.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { CatalogQueries } from './catalog-queries.js';
import { ProductDto, ProductPageDto, ProductsQueryDto } from './catalog.query.dto.js';

@ApiTags('catalog')
@Public()
@Controller('products')
export class CatalogQueriesController {
  constructor(private readonly catalog: CatalogQueries) {}

  @Get()
  @UsesReadModels('catalog')
  @ApiRead({ operationId: 'listProducts', summary: 'Search the catalog', access: 'public', type: ProductPageDto, readModels: true })
  search(@Query() query: ProductsQueryDto): Promise<ProductPageDto> {
    return this.catalog.searchProducts(query);
  }

  @Get(':id')
  @UsesReadModels('catalog')
  @ApiRead({ operationId: 'getProduct', summary: 'Get a product', access: 'public', type: ProductDto, readModels: true, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The product')
  async get(@Param('id', UuidParamPipe) id: string): Promise<ProductDto> {
    const product = await this.catalog.findProduct(id);
    if (!product) throw new NotFoundError('Product not found');
    return product;
  }
}
