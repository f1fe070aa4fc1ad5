import { standardTransformers, standardTransformersRegistry, type TransformerRegistryItem } from '@grafana/data';
import { version } from '@grafana/data/package.json';

/**
 * Registers @grafana/data's standard transformers the way Grafana's app does at start (one registry entry
 * per transformer; the package also exports aliases of some, which would collide as ids). Panels'
 * `transformations` then run through transformDataFrame exactly as in Grafana.
 *
 * Grafana 13 made a registry item's `transformation` a loader (transformDataFrame.ts awaits
 * `info.transformation()`, so transformers can be split out of the main bundle); 12 holds the info itself.
 * Each line gets what its own transformDataFrame reads.
 */
export function registerStandardTransformers(): void {
  const unique = Array.from(new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values());
  const ids = new Set(unique.map((t) => t.id));
  const loaders = Number(version.split('.')[0]) >= 13;
  standardTransformersRegistry.setInit(() =>
    unique.map((t) => ({
      id: t.id,
      aliasIds: (t.aliasIds ?? []).filter((a) => !ids.has(a)),
      name: t.name,
      description: t.description,
      // The type is one line's or the other's: the value matches the line that runs.
      transformation: (loaders ? () => Promise.resolve(t) : t) as unknown as TransformerRegistryItem['transformation'],
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}
