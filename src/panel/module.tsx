import { PanelPlugin } from '@grafana/data';
import { MatrixPanel } from './components/MatrixPanel';
import { buildOptions } from './options';
import type { MatrixOptions } from './types';

export const plugin = new PanelPlugin<MatrixOptions>(MatrixPanel).setPanelOptions(buildOptions);
