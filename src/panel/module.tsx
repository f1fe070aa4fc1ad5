import { FieldConfigProperty, PanelPlugin } from '@grafana/data';
import { MatrixPanel } from './components/MatrixPanel';
import { migrateOptions } from './migrations';
import { buildOptions } from './options';
import type { MatrixOptions } from '../shared/panelOptions';

// Of Grafana's standard field options only "Data links" means something here: links get the cell's
// ${sourceNamespace}, ${sourceWorkload}, ${destination} and ${verdict}. Units come from the frame's fields
// (bytes are decbytes), colors from the panel's own options.
export const plugin = new PanelPlugin<MatrixOptions>(MatrixPanel)
  .setPanelOptions(buildOptions)
  .setMigrationHandler(migrateOptions)
  .useFieldConfig({
    disableStandardOptions: Object.values(FieldConfigProperty).filter((p) => p !== FieldConfigProperty.Links),
  });
