import { ApiProperty } from '@nestjs/swagger';
import { PageQueryDto } from '../../http/page-cursor.js';
import { COUNT, TIMESTAMP, UUID } from '../../http/openapi/schemas.js';

export class ReviewsQueryDto extends PageQueryDto {}

/** A review as the public sees it: no author. */
export class ReviewDto {
  @ApiProperty(UUID)
  id: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 5 })
  rating: number;

  @ApiProperty({ minLength: 1, maxLength: 2000 })
  text: string;

  @ApiProperty(TIMESTAMP)
  createdAt: string;

  @ApiProperty({ ...TIMESTAMP, description: 'The last edit; createdAt if never edited' })
  updatedAt: string;
}

export class ReviewPageDto {
  @ApiProperty({ type: [ReviewDto], maxItems: 100, description: 'Newest first; hidden reviews left out' })
  items: ReviewDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class StarsDto {
  @ApiProperty({ ...COUNT, name: '1' })
  1: number;
  @ApiProperty({ ...COUNT, name: '2' })
  2: number;
  @ApiProperty({ ...COUNT, name: '3' })
  3: number;
  @ApiProperty({ ...COUNT, name: '4' })
  4: number;
  @ApiProperty({ ...COUNT, name: '5' })
  5: number;
}

export class RatingDto {
  @ApiProperty({ ...COUNT, description: 'Visible reviews' })
  count: number;

  @ApiProperty({ type: 'number', nullable: true, minimum: 1, maximum: 5, description: 'Mean rating to one decimal (half up); null without reviews', example: 4.3 })
  average: number | null;

  @ApiProperty({ type: StarsDto, description: 'Visible reviews per rating' })
  stars: StarsDto;
}
