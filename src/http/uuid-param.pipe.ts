import { Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFoundError } from '../event-store/errors.js';

/** A route id that is not a UUID cannot name anything we have: 404, as for any unknown id. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) throw new NotFoundError();
    return value.toLowerCase();
  }
}
