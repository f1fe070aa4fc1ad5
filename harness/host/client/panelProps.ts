import { EventBusSrv, type PanelData, type PanelProps, type TimeRange } from '@grafana/data';

/**
 * The props Grafana gives a panel on a dashboard, for the host's pages: Grafana's own event bus
 * (EventBusSrv, which nothing here publishes on), and callbacks that do nothing, since the host has no
 * panel editor, field config or time picker.
 */
export function panelProps(p: {
  id: number;
  data: PanelData;
  timeRange: TimeRange;
  timeZone?: string;
  options: object;
  width: number;
  height: number;
  title: string;
}): PanelProps {
  return {
    id: p.id,
    data: p.data,
    timeRange: p.timeRange,
    timeZone: p.timeZone ?? 'utc',
    options: p.options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: p.width,
    height: p.height,
    renderCounter: 0,
    title: p.title,
    eventBus: new EventBusSrv(),
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  };
}
