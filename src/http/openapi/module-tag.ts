import { ApiTags } from '@nestjs/swagger';

/** Tags that modules declared with their controllers, by name: the document lists them with the core's. */
const moduleTags = new Map<string, string>();

/**
 * Tags a module's controller and describes the tag in the OpenAPI document's global tags, so a new module
 * documents its routes' group without editing document.ts (operations must use declared tags).
 */
export function ApiModuleTag(name: string, description: string): ClassDecorator {
  moduleTags.set(name, description);
  return ApiTags(name);
}

/** The tags modules declared (filled as their controllers' decorators run, at import). */
export function declaredModuleTags(): ReadonlyMap<string, string> {
  return moduleTags;
}
