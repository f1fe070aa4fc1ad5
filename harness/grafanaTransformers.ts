import { standardTransformers, standardTransformersRegistry } from '@grafana/data';

/**
 * Registers @grafana/data's standard transformers the way Grafana's app does at start (one registry entry
 * per transformer; the package also exports aliases of some, which would collide as ids). Panels'
 * `transformations` then run through transformDataFrame exactly as in Grafana.
 */
export function registerStandardTransformers(): void {
  const unique = Array.from(new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values());
  const ids = new Set(unique.map((t) => t.id));
  standardTransformersRegistry.setInit(() =>
    unique.map((t) => ({
      id: t.id,
      aliasIds: (t.aliasIds ?? []).filter((a) => !ids.has(a)),
      name: t.name,
      description: t.description,
      transformation: t,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}
