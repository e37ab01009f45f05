import * as z from 'zod';
import type { ExtensionManifest } from '../catalog/schema.ts';
import type { Extension, ExtensionContext, ExtensionFactory } from './contract.ts';

/**
 * An extension as a typed config schema plus its method table. The schema is checked when the catalog is
 * loaded against the manifest's `config` and every profile that can route to it (checkCatalogConfig), so a typo
 * or a wrong type fails at load naming the file and field instead of being read as undefined at use; adapters
 * read it typed with `configOf`. Capabilities come from the methods the table implements: a manifest may
 * declare less (an operator switching one off), never more (registry.ts checkCapabilities).
 */
export type DefinedFactory<C extends z.ZodObject = z.ZodObject> = ExtensionFactory & { readonly config: C };

/** Keys every extension accepts: the manager reads them for any backend. */
export const COMMON_CONFIG = {
  ready_timeout_s: z.number().positive().optional(),
};

export function defineExtension<C extends z.ZodObject>(def: {
  config: C;
  create(manifest: ExtensionManifest): Extension;
}): DefinedFactory<C> {
  return Object.assign((manifest: ExtensionManifest) => def.create(manifest), { config: def.config });
}

/** The config schema of an adapter: its keys (all optional: the manifest supplies defaults), strict. */
export const configSchema = <S extends z.ZodRawShape>(shape: S) =>
  z.object({ ...COMMON_CONFIG, ...shape }).strict();

const parsed = new WeakMap<object, unknown>();
const stripped = new WeakMap<z.ZodObject, z.ZodObject>();

/** ctx.config, validated and typed by the adapter's schema (parsed once per config object). */
export function configOf<C extends z.ZodObject>(
  ctx: Pick<ExtensionContext, 'config'>,
  schema: C,
): z.infer<C> {
  const hit = parsed.get(ctx.config);
  if (hit) return hit as z.infer<C>;
  // At use, keys meant for another candidate of a route are ignored (the catalog check caught real typos).
  let lenient = stripped.get(schema);
  if (!lenient) stripped.set(schema, (lenient = schema.strip()));
  const value = lenient.parse(ctx.config);
  parsed.set(ctx.config, value);
  return value as z.infer<C>;
}
