import type { PanelOptionsEditorBuilder } from '@grafana/data';
import { ExploreDatasourceEditor } from './components/ExploreDatasourceEditor';
import { defaultOptions, type MatrixOptions } from './types';

const SORTS = [
  { label: 'Name', value: 'name' },
  { label: 'Total volume', value: 'volume' },
  { label: 'Blocked share', value: 'blockedShare' },
] as const;

export function buildOptions(builder: PanelOptionsEditorBuilder<MatrixOptions>) {
  const layout = ['Layout'];
  const mapping = ['Field mapping'];
  builder
    .addBooleanSwitch({
      path: 'transpose',
      name: 'Transpose',
      description: 'Destinations as rows, workloads as columns',
      defaultValue: defaultOptions.transpose,
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
      settings: { min: 2, max: 10, step: 1 },
      defaultValue: defaultOptions.levels,
      category: layout,
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
    .addTextInput({
      path: 'mapping.sourceNamespace',
      name: 'Source namespace field',
      defaultValue: '',
      category: mapping,
      description: 'For plain Prometheus tables; empty: automatic',
    })
    .addTextInput({
      path: 'mapping.sourceWorkload',
      name: 'Source workload field',
      defaultValue: '',
      category: mapping,
    })
    .addTextInput({ path: 'mapping.destination', name: 'Destination field', defaultValue: '', category: mapping })
    .addTextInput({
      path: 'mapping.verdict',
      name: 'Verdict field',
      defaultValue: '',
      category: mapping,
      description: 'Values BlackHoleCluster/PassthroughCluster or blackhole/passthrough',
    })
    .addTextInput({ path: 'mapping.value', name: 'Value field', defaultValue: '', category: mapping });
}
