/**
 * The field config registry a panel's fieldConfig is applied with, as Grafana builds it: the standard
 * options (grafana/grafana public/app/core/components/OptionsUI/registry.tsx `getAllStandardFieldConfigs`:
 * ids, paths, processors and shouldApply as there; editors left out, nothing here edits) and the panel
 * plugin's custom options (`custom.*`, identity processors). Without it applyFieldOverrides applies neither
 * the panel's defaults nor its overrides: colors, mappings and units would silently fall away.
 */
import {
  booleanOverrideProcessor,
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  type Field,
  type FieldConfigPropertyItem,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  Registry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  valueMappingsOverrideProcessor,
} from '@grafana/data';

type Item = FieldConfigPropertyItem;

const always = () => true;
const numbers = (f: Field) => f.type === FieldType.number;

function item(id: string, process: Item['process'], shouldApply: Item['shouldApply'] = always): Item {
  return { id, path: id, name: id, process, shouldApply, override: () => null, editor: () => null } as unknown as Item;
}

const STANDARD: Item[] = [
  item('unit', stringOverrideProcessor),
  item('min', numberOverrideProcessor, numbers),
  item('max', numberOverrideProcessor, numbers),
  item('fieldMinMax', booleanOverrideProcessor, numbers),
  item('decimals', numberOverrideProcessor, numbers),
  item('displayName', displayNameOverrideProcessor),
  item('color', identityOverrideProcessor),
  item('noValue', stringOverrideProcessor),
  item('links', dataLinksOverrideProcessor),
  item('mappings', valueMappingsOverrideProcessor, (f) => f.type !== FieldType.time),
  item('thresholds', thresholdsOverrideProcessor),
  item('filterable', booleanOverrideProcessor),
];

/** Every `custom.*` key a panel's field config names, in its defaults or its overrides. */
function customKeys(fieldConfig: {
  defaults?: { custom?: object };
  overrides?: Array<{ properties: Array<{ id: string }> }>;
}) {
  const keys = new Set(Object.keys(fieldConfig.defaults?.custom ?? {}));
  for (const o of fieldConfig.overrides ?? []) {
    for (const p of o.properties) {
      if (p.id.startsWith('custom.')) {
        keys.add(p.id.slice('custom.'.length));
      }
    }
  }
  return [...keys];
}

export function fieldConfigRegistry(fieldConfig: Parameters<typeof customKeys>[0]): Registry<Item> {
  const custom = customKeys(fieldConfig).map(
    (key) => ({ ...item(`custom.${key}`, identityOverrideProcessor), path: key, isCustom: true }) as Item
  );
  return new Registry<Item>(() => [...STANDARD, ...custom]);
}

/**
 * What a panel plugin's field config registry fills in before the panel's own settings (Grafana applies
 * them with applyFieldOverrides): the time series panel's palette-classic colors and its graph defaults
 * (grafana/grafana public/app/plugins/panel/timeseries/config.ts `defaultGraphConfig`).
 */
export const TIMESERIES_DEFAULTS = {
  color: { mode: 'palette-classic' },
  custom: {
    drawStyle: 'line',
    lineInterpolation: 'linear',
    lineWidth: 1,
    fillOpacity: 0,
    gradientMode: 'none',
    showPoints: 'auto',
    pointSize: 5,
    spanNulls: false,
    axisPlacement: 'auto',
    barAlignment: 0,
    stacking: { mode: 'none', group: 'A' },
  },
};
