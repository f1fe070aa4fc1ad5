import type { PanelOptionsEditorBuilder } from '@grafana/data';
import { ExploreDatasourceEditor } from './components/ExploreDatasourceEditor';
import { MAX_LEVELS, MIN_LEVELS } from './model/colors';
import { defaultColors, defaultOptions, type MatrixOptions } from '../shared/panelOptions';

const SORTS = [
  { label: 'Name', value: 'name' },
  { label: 'Total volume', value: 'volume' },
  { label: 'Blocked share', value: 'blockedShare' },
] as const;

export function buildOptions(builder: PanelOptionsEditorBuilder<MatrixOptions>) {
  const layout = ['Layout'];
  const mapping = ['Field mapping'];
  const colors = ['Colors'];
  builder
    .addBooleanSwitch({
      path: 'transpose',
      name: 'Transpose',
      description: 'Destinations as rows, workloads as columns',
      defaultValue: defaultOptions.transpose,
      category: layout,
    })
    .addBooleanSwitch({
      path: 'clusterRows',
      name: 'Cluster in rows',
      description:
        'When the query splits by source cluster: group rows by cluster and namespace. Off: the clusters of a workload are drawn in one row.',
      defaultValue: defaultOptions.clusterRows,
      category: layout,
    })
    .addRadio({
      path: 'sortRows',
      name: 'Sort rows by',
      settings: { options: [...SORTS] },
      defaultValue: defaultOptions.sortRows,
      category: layout,
    })
    .addRadio({
      path: 'sortColumns',
      name: 'Sort columns by',
      settings: { options: [...SORTS] },
      defaultValue: defaultOptions.sortColumns,
      category: layout,
    })
    .addTextInput({
      path: 'rowFilter',
      name: 'Row filter',
      description: 'Substring of a row label or namespace',
      defaultValue: '',
      category: layout,
    })
    .addTextInput({ path: 'columnFilter', name: 'Column filter', defaultValue: '', category: layout })
    .addBooleanSwitch({
      path: 'showTotals',
      name: 'Show totals',
      description: 'Requests + connections per row and column',
      defaultValue: defaultOptions.showTotals,
      category: layout,
    })
    .addSliderInput({
      path: 'levels',
      name: 'Intensity levels',
      description: 'Steps of color intensity per verdict (log scale of volume)',
      settings: { min: MIN_LEVELS, max: MAX_LEVELS, step: 1 },
      defaultValue: defaultOptions.levels,
      category: colors,
    })
    .addColorPicker({
      path: 'colors.blackhole',
      name: 'BlackHole',
      description: 'Blocked (BlackHoleCluster). Intensity steps keep its hue at 3:1 contrast to the panel.',
      defaultValue: defaultColors.blackhole,
      category: colors,
    })
    .addColorPicker({
      path: 'colors.passthrough',
      name: 'Passthrough',
      description: 'Allowed (PassthroughCluster)',
      defaultValue: defaultColors.passthrough,
      category: colors,
    })
    .addColorPicker({
      path: 'colors.both',
      name: 'Both',
      description: 'Pairs seen blocked and allowed in the range',
      defaultValue: defaultColors.both,
      category: colors,
    })
    .addRadio({
      path: 'serviceEntryScope',
      name: 'ServiceEntry scope',
      settings: {
        options: [
          { label: 'Per source namespace', value: 'namespace' },
          { label: 'Mesh-wide', value: 'mesh' },
        ],
      },
      defaultValue: defaultOptions.serviceEntryScope,
      category: ['ServiceEntries'],
    })
    .addCustomEditor({
      id: 'exploreDatasource',
      path: 'exploreDatasource',
      name: 'Explore with',
      description:
        'Prometheus data source that a pinned cell\'s "Explore this pair" opens with the cell\'s PromQL. Empty: the first Prometheus data source.',
      defaultValue: defaultOptions.exploreDatasource,
      editor: ExploreDatasourceEditor,
      category: ['Links'],
    })
    .addFieldNamePicker({
      path: 'mapping.sourceNamespace',
      defaultValue: '',
      name: 'Source namespace field',
      description: 'For plain Prometheus tables; empty: automatic',
      category: mapping,
    })
    .addFieldNamePicker({
      path: 'mapping.sourceWorkload',
      defaultValue: '',
      name: 'Source workload field',
      category: mapping,
    })
    .addFieldNamePicker({ path: 'mapping.destination', defaultValue: '', name: 'Destination field', category: mapping })
    .addFieldNamePicker({
      path: 'mapping.verdict',
      defaultValue: '',
      name: 'Verdict field',
      description: 'Values BlackHoleCluster/PassthroughCluster or blackhole/passthrough',
      category: mapping,
    })
    .addFieldNamePicker({ path: 'mapping.value', defaultValue: '', name: 'Value field', category: mapping });
}
