import React from 'react';
import { PanelPlugin, type PanelProps } from '@grafana/data';

// Placeholder until the matrix panel issue lands.
function MatrixPanel(_props: PanelProps<{}>) {
  return <div>Istio egress matrix</div>;
}

export const plugin = new PanelPlugin<{}>(MatrixPanel);
