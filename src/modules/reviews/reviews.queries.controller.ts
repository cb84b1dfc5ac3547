import { Controller, Get, Param, Query } from '@nestjs/common';
import { NotFoundError } from '../../event-store/errors.js';
import { Public } from '../../http/auth.js';
import { ApiModuleTag } from '../../http/openapi/module-tag.js';
import { ApiRead } from '../../http/openapi/api-operation.decorators.js';
import { ApiUuidParam } from '../../http/openapi/api-params.decorator.js';
import { UuidParamPipe } from '../../http/uuid-param.pipe.js';
import { UsesReadModels } from '../../projections/projection.js';
import { CATALOG_READ_MODEL } from '../catalog/catalog.public.js';
import { ReviewQueries } from './review-queries.js';
import { RatingDto, ReviewPageDto, ReviewsQueryDto } from './reviews.query.dto.js';

@ApiModuleTag('reviews', 'Product reviews and ratings')
@Public()
@Controller('products/:id')
export class ReviewsQueriesController {
  constructor(private readonly reviews: ReviewQueries) {}

  @Get('reviews')
  @UsesReadModels('reviews', CATALOG_READ_MODEL)
  @ApiRead({ operationId: 'listReviews', summary: "A product's reviews", description: 'Newest first; hidden ones left out; authors not shown.', access: 'public', type: ReviewPageDto, readModels: true, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The product')
  async list(@Param('id', UuidParamPipe) productId: string, @Query() query: ReviewsQueryDto): Promise<ReviewPageDto> {
    await this.mustExist(productId);
    return this.reviews.listReviews(productId, query.limit, query.cursor);
  }

  @Get('rating')
  @UsesReadModels('reviews', CATALOG_READ_MODEL)
  @ApiRead({ operationId: 'getProductRating', summary: "A product's rating", description: 'Over its visible reviews.', access: 'public', type: RatingDto, readModels: true, errors: ['NOT_FOUND'] })
  @ApiUuidParam('id', 'The product')
  async rating(@Param('id', UuidParamPipe) productId: string): Promise<RatingDto> {
    await this.mustExist(productId);
    return this.reviews.rating(productId);
  }

  private async mustExist(productId: string): Promise<void> {
    if (!(await this.reviews.productExists(productId))) throw new NotFoundError('Product not found');
  }
}
