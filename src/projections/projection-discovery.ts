import type { DiscoveryService, Reflector } from '@nestjs/core';
import { MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { SHADOW_SUFFIX } from './batch-applier.js';
import { PROJECTION_PROVIDER, USES_READ_MODELS, type Projection } from './projection.js';

/** Read-model tables get a `__rebuild` shadow: the name must leave room for it within PostgreSQL's 63 bytes. */
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,53}$/;

/** Every provider marked @ProjectionProvider(), each checked to be a well-formed singleton projection. */
export function discoverProjections(discovery: DiscoveryService, reflector: Reflector): Projection[] {
  const projections: Projection[] = [];
  for (const wrapper of discovery.getProviders()) {
    const projection = projectionOf(wrapper, reflector);
    if (projection) projections.push(checked(projection));
  }
  return projections;
}

/** A @UsesReadModels naming no projection is a typo that would fail every request: refuse to start. */
export function checkReadModelUsers(discovery: DiscoveryService, reflector: Reflector, known: ReadonlySet<string>): void {
  const scanner = new MetadataScanner();
  for (const { instance, metatype } of discovery.getControllers()) {
    if (!instance || typeof metatype !== 'function') continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, (...args: unknown[]) => unknown>)[method];
      const names: string[] = reflector.get<string[] | undefined>(USES_READ_MODELS, handler) ?? [];
      const unknown = names.filter((n) => !known.has(n));
      if (unknown.length > 0) {
        throw new Error(`${metatype.name}.${method} uses read models of unknown projections: ${unknown.join(', ')}`);
      }
    }
  }
}

function projectionOf(wrapper: InstanceWrapper, reflector: Reflector): Projection | undefined {
  const { metatype, instance } = wrapper;
  if (typeof metatype !== 'function' || !reflector.get<boolean | undefined>(PROJECTION_PROVIDER, metatype)) return undefined;
  if (!wrapper.isDependencyTreeStatic() || !instance) {
    throw new Error(`projection provider ${metatype.name} must be a singleton (not request- or transient-scoped)`);
  }
  return instance as Projection;
}

function checked(projection: Projection): Projection {
  const { name, tables } = projection;
  if (typeof name !== 'string' || name.length === 0) throw new Error(`projection ${projection.constructor.name} has no name`);
  for (const table of tables) {
    if (!TABLE_NAME.test(table) || table.endsWith(SHADOW_SUFFIX)) {
      throw new Error(`projection ${name}: table name ${table} must be lower-case snake_case of at most 54 characters`);
    }
  }
  return projection;
}
