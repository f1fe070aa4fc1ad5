import { PanelPlugin } from '@grafana/data';
import { MatrixPanel } from './components/MatrixPanel';
import { buildOptions } from './options';
import type { MatrixOptions } from './types';

// Field config gives users Grafana's standard "Data links" editor; links get the cell's
// ${sourceNamespace}, ${sourceWorkload}, ${destination} and ${verdict}.
export const plugin = new PanelPlugin<MatrixOptions>(MatrixPanel)
  .setPanelOptions(buildOptions)
  .useFieldConfig({ disableStandardOptions: [] });
