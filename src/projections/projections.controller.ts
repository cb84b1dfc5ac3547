import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../http/auth.js';
import { ProjectionStatusDto, RebuildAcceptedDto } from './projections.dto.js';
import { ProjectionRunner } from './projection-runner.js';

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Not an admin' })
@Roles('admin')
@Controller('admin/projections')
export class ProjectionsController {
  constructor(private readonly runner: ProjectionRunner) {}

  @Get()
  @ApiOkResponse({ type: ProjectionStatusDto, isArray: true })
  list(): Promise<ProjectionStatusDto[]> {
    return this.runner.statuses();
  }

  /** Rebuilds the read model from the log in the background; the old one keeps serving until the swap. */
  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RebuildAcceptedDto })
  @ApiNotFoundResponse({ description: 'No projection of that name' })
  @ApiConflictResponse({ description: 'PROJECTION_REBUILDING: a rebuild of it is already running' })
  async rebuild(@Param('name') name: string): Promise<RebuildAcceptedDto> {
    await this.runner.startRebuild(name);
    return { name, status: 'rebuilding' };
  }
}
