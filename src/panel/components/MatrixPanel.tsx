import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, LoadingState, type PanelData, type PanelProps } from '@grafana/data';
import { config, PanelDataErrorView } from '@grafana/runtime';
import { LoadingPlaceholder, useStyles2, useTheme2 } from '@grafana/ui';
import { newAlertRuleUrl, returnTo } from '../../shared/alertRuleLink';
import { ALERT_DEFAULTS } from '../../query/alerts';
import { buildPalette, clampLevels, type ClassColors } from '../model/colors';
import { buildMatrix, type MatrixModel } from '../model/matrix';
import { readFrames } from '../model/readFrame';
import { defaultColors, type MatrixOptions } from '../../shared/panelOptions';
import { frameAlertRule } from './exploreLink';
import { MatrixGrid } from './MatrixGrid';
import { invalidText, MatrixLegend } from './MatrixLegend';
import { useMeasuredHeight } from './useMeasuredHeight';

type Props = PanelProps<MatrixOptions>;

const EMPTY: ReadonlySet<number> = new Set();

/**
 * The matrix panel: reads the frames, builds the model and the colors, and lays out the grid and its
 * legend as Grafana's own visualizations do (VizLayout). Errors and empty data never look alike.
 */
export function MatrixPanel(props: Props) {
  const { id, data, width, height, options, fieldConfig } = props;
  const theme = useTheme2();
  const s = useStyles2(getStyles);
  const [selection, setSelection] = useState<{ model?: MatrixModel; cells: ReadonlySet<number> }>({ cells: EMPTY });
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [showYaml, setShowYaml] = useState(false);
  const [legendRef, legendHeight] = useMeasuredHeight();

  const read = useMemo(
    () => readFrames(data.series, options.mapping, { clusterRows: options.clusterRows }),
    [data.series, options.mapping, options.clusterRows]
  );
  const model = useMemo(
    () => ('table' in read ? buildMatrix(read.table, { ...options, collapsedGroups: collapsed }) : undefined),
    [read, options, collapsed]
  );
  // Selections index into the model's cells: a new model (data, options, folding) starts a new one.
  const selected = selection.model === model ? selection.cells : EMPTY;
  const setSelected = (update: (prev: ReadonlySet<number>) => Set<number>) =>
    setSelection((prev) => ({ model, cells: update(prev.model === model ? prev.cells : EMPTY) }));

  const levels = clampLevels(options.levels);
  const colors = useMemo<ClassColors>(() => {
    const pick = (name: string | undefined, fallback: string) => theme.visualization.getColorByName(name || fallback);
    const c = options.colors ?? defaultColors;
    return {
      blackhole: pick(c.blackhole, defaultColors.blackhole),
      passthrough: pick(c.passthrough, defaultColors.passthrough),
      both: pick(c.both, defaultColors.both),
      notExternal: theme.colors.text.secondary,
      blockedInMesh: theme.visualization.getColorByName('red'),
    };
  }, [theme, options.colors]);
  // The panel's background, and the dashboard's for transparent panels: every step keeps 3:1 to both.
  const palette = useMemo(
    () => buildPalette(colors, [theme.colors.background.primary, theme.colors.background.canvas], levels),
    [colors, theme, levels]
  );

  const alertHref = useMemo(() => {
    const rule = frameAlertRule(data.series);
    return rule
      ? newAlertRuleUrl({
          ...rule,
          windowSeconds: ALERT_DEFAULTS.windowSeconds,
          labels: { ...ALERT_DEFAULTS.labels },
          dashboardUid: data.request?.dashboardUID,
          panelId: data.request?.panelId,
          appSubUrl: config.appSubUrl,
          returnTo: returnTo(),
        })
      : undefined;
  }, [data.series, data.request]);

  // A failed query is never "no traffic": in a security tool that would read as "nothing is blocked".
  const errors = useMemo(() => queryErrors(data), [data]);
  // Nor is a query still in flight: Grafana keeps the previous answer's series while it loads (shown
  // dimmed, as its own panels do); with none yet, the panel says it is reading.
  const loading = data.state === LoadingState.Loading || data.state === LoadingState.NotStarted;
  if (loading && errors.length === 0 && (!model || model.cellCount === 0)) {
    return (
      <div data-testid="matrix-loading" role="status" aria-busy="true" className={s.loading}>
        <LoadingPlaceholder text="Reading BlackHoleCluster and PassthroughCluster traffic…" />
      </div>
    );
  }
  if (errors.length > 0 && (!model || model.cellCount === 0)) {
    return (
      <div data-testid="matrix-error" role="alert">
        <PanelDataErrorView
          panelId={id}
          data={data}
          fieldConfig={fieldConfig}
          message={`The query failed: there is no matrix to show. ${errors.join(' · ')}`}
        />
      </div>
    );
  }
  if ('missing' in read) {
    return (
      <div data-testid="matrix-missing-fields">
        <PanelDataErrorView
          panelId={id}
          data={data}
          fieldConfig={fieldConfig}
          needsStringField
          message={`The data has no ${read.missing.join(', ')} field. Use the Istio Egress data source's matrix query, or pick fields in the panel options (Field mapping).`}
        />
      </div>
    );
  }
  if (!model || model.cellCount === 0) {
    const message =
      'No BlackHoleCluster or PassthroughCluster traffic in this range' +
      (model?.skipped ? ` (${model.skipped} row${model.skipped === 1 ? '' : 's'} had another verdict)` : '') +
      (model?.invalid ? `. ${invalidText(model.invalid)}` : '');
    return (
      <div data-testid="matrix-no-data">
        <PanelDataErrorView panelId={id} data={data} fieldConfig={fieldConfig} message={message} />
      </div>
    );
  }

  // Laid out as Grafana's VizLayout lays out a bottom legend (a column: the visualization grows, the
  // legend scrolls beyond its maximum height), with the legend measured before the first paint.
  return (
    <div
      className={s.layout}
      style={{ width, height, opacity: loading ? 0.6 : undefined }}
      aria-busy={loading}
      data-testid="matrix-layout"
    >
      <div className={s.viz}>
        {legendHeight !== undefined && (
          <MatrixGrid
            {...props}
            width={width}
            height={Math.max(0, height - legendHeight)}
            model={model}
            origin={'origin' in read ? read.origin : undefined}
            palette={palette}
            levels={levels}
            selected={selected}
            setSelected={setSelected}
            onToggleGroup={(group) =>
              setCollapsed((prev) => {
                const next = new Set(prev);
                if (!next.delete(group)) {
                  next.add(group);
                }
                return next;
              })
            }
          />
        )}
      </div>
      <div ref={legendRef} style={{ maxHeight: '35%' }}>
        <div className={s.legendScroll}>
          <MatrixLegend
            model={model}
            palette={palette}
            levels={levels}
            errors={errors}
            alertHref={alertHref}
            selected={selected}
            showYaml={showYaml}
            setShowYaml={setShowYaml}
            serviceEntryScope={options.serviceEntryScope}
          />
        </div>
      </div>
    </div>
  );
}

/** The messages of a failed query (PanelData.errors: every supported Grafana fills it; `error` is deprecated). */
function queryErrors(data: PanelData): string[] {
  const list = data.errors ?? [];
  const messages = list.map(
    (e) => e.message || (e.data?.message as string | undefined) || 'the data source reported an error'
  );
  return messages.length === 0 && data.state === LoadingState.Error ? ['the data source reported an error'] : messages;
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({
    display: 'flex',
    flexDirection: 'column',
    [theme.transitions.handleMotion('no-preference', 'reduce')]: { transition: 'opacity 150ms' },
  }),
  loading: css({ display: 'flex', alignItems: 'center', justifyContent: 'center', height: '100%' }),
  // VizLayout's visualization area (getVizStyles).
  viz: css({ flexGrow: 2, borderRadius: theme.shape.radius.default }),
  // What VizLayout's ScrollContainer is (a Box around a scrolling flex column), as one element and one
  // class: the two components' styles were computed at every mount (1-1.5 ms of a 10k first paint).
  legendScroll: css({
    display: 'flex',
    flexDirection: 'column',
    maxHeight: '100%',
    minHeight: 0,
    overflow: 'auto',
    scrollbarWidth: 'thin',
  }),
});
