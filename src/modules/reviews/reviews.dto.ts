import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

const RATING = { type: 'integer', format: 'int32', minimum: 1, maximum: 5, example: 4 } as const;

export class PostReviewDto {
  @ApiProperty(RATING)
  @IsInt()
  @Min(1)
  @Max(5)
  rating: number;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Keeps tea hot; the handle is comfortable.' })
  @IsString()
  @Length(1, 2000)
  text: string;
}

export class EditReviewDto {
  @ApiPropertyOptional(RATING)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  rating?: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  text?: string;
}

export class HideReviewDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Not about the product' })
  @IsString()
  @Length(1, 500)
  reason: string;
}
