import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAction, ApiRead } from '../openapi/api-operation.decorators.js';
import { Roles } from '../auth.js';
import { ProjectionStatusDto, RebuildAcceptedDto } from './projections.dto.js';
import { ProjectionRunner } from '../../projections/projection-runner.js';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/projections')
export class ProjectionsController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @ApiRead({ operationId: 'listProjections', summary: 'Projection status', description: 'Each read model: its position, lag and state.', access: 'admin', type: ProjectionStatusDto, maxItems: 100, readModels: false })
  list(): Promise<ProjectionStatusDto[]> {
    return this.runner.statuses();
  }

  /** Rebuilds the read model from the log in the background; the old one keeps serving until the swap. */
  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiAction({
    operationId: 'rebuildProjection',
    summary: 'Rebuild a read model from the log',
    description: 'In the background; the old read model keeps serving until the swap. 409 PROJECTION_REBUILDING while one runs.',
    access: 'admin',
    status: 202,
    type: RebuildAcceptedDto,
    errors: ['NOT_FOUND', 'PROJECTION_REBUILDING'],
  })
  @ApiParam({ name: 'name', description: 'The projection', schema: { type: 'string', maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$' } })
  async rebuild(@Param('name') name: string): Promise<RebuildAcceptedDto> {
    await this.runner.startRebuild(name);
    return { name, status: 'rebuilding' };
  }
}
