import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, LoadingState, type PanelData, type PanelProps } from '@grafana/data';
import { config, PanelDataErrorView } from '@grafana/runtime';
import { Button, ClipboardButton, IconButton, Stack, useStyles2, useTheme2 } from '@grafana/ui';
import { serviceEntriesYaml } from '../../query';
import { newAlertRuleUrl, returnTo } from '../../shared/alertRuleLink';
import { InAppLinkButton } from '../../components/InAppLinkButton';
import { downloadText } from '../../shared/download';
import { ALERT_DEFAULTS } from '../../query/alerts';
import {
  buildPalette,
  CELL_CLASSES,
  CLASS_INDEX,
  type CellClass,
  clampLevels,
  type ClassColors,
} from '../model/colors';
import { buildMatrix, type MatrixModel } from '../model/matrix';
import { readFrames } from '../model/readFrame';
import { defaultColors, type MatrixOptions } from '../../shared/panelOptions';
import { frameAlertRule } from './exploreLink';
import { MatrixGrid } from './MatrixGrid';
import { useMeasuredHeight } from './useMeasuredHeight';

type Props = PanelProps<MatrixOptions>;

const EMPTY: ReadonlySet<number> = new Set();

const CLASS_NAMES: Record<CellClass, string> = {
  blackhole: 'BlackHole',
  passthrough: 'Passthrough',
  both: 'Both',
  notExternal: 'Not external',
  blockedInMesh: 'Blocked in-mesh',
};

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
  const errors = queryErrors(data);
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

  const shownClasses = CELL_CLASSES.filter(
    (c) => model.hasNotExternal || (c !== 'notExternal' && c !== 'blockedInMesh')
  );
  const step = (cls: CellClass, level: number) => palette[CLASS_INDEX[cls] * (levels + 1) + level];
  const selectedCells = showYaml ? Array.from(selected).flatMap((i) => model.cell(i).sources) : [];
  const yaml = showYaml ? serviceEntriesYaml(selectedCells, { scope: options.serviceEntryScope }) : '';
  const legend = (
    <>
      <div className={s.legend} data-testid="matrix-legend">
        {shownClasses.map((cls) => (
          <span key={cls} className={s.entry} title={`${CLASS_NAMES[cls]}: faint = little traffic, strong = most`}>
            {/* The class's intensity steps, faint to strong, as the grid draws them. */}
            <span className={s.ramp}>
              {Array.from({ length: levels }, (_, l) => (
                <span key={l} className={s.swatch} style={{ background: step(cls, l + 1) }} />
              ))}
            </span>
            {CLASS_NAMES[cls]}
          </span>
        ))}
        <span className={s.entry}>
          <span className={s.swatch} style={{ border: `1px solid ${step('passthrough', 0)}` }} /> No traffic in range
        </span>
        {errors.length > 0 && (
          <span className={s.warning} data-testid="matrix-partial" role="alert">
            ⚠ Part of the query failed, the matrix may be incomplete: {errors.join(' · ')}
          </span>
        )}
        {model.invalid > 0 && (
          <span className={s.warning} data-testid="matrix-invalid" role="status">
            ⚠ {invalidText(model.invalid)}
          </span>
        )}
        <span className={s.actions}>
          {alertHref && (
            <InAppLinkButton
              size="sm"
              variant="secondary"
              icon="bell"
              href={alertHref}
              data-testid="matrix-new-alert-rule"
            >
              New alert rule
            </InAppLinkButton>
          )}
          {/* Never disabled: with no cell selected the pane says how to select. A disabled button with a
              tooltip (Grafana's Tooltip, floating-ui's hooks) was 2 ms of the first paint at 10k cells. */}
          <Button
            size="sm"
            variant="secondary"
            onClick={() => setShowYaml(!showYaml)}
            data-testid="matrix-yaml-toggle"
            aria-expanded={showYaml}
          >
            ServiceEntry YAML ({selected.size})
          </Button>
        </span>
      </div>
      {showYaml && (
        <div className={s.yaml} role="region" aria-label="ServiceEntry YAML" data-testid="serviceentry-pane">
          <Stack gap={1} alignItems="center">
            <span className={s.yamlTitle}>ServiceEntries for {selected.size} selected cells</span>
            <ClipboardButton size="sm" icon="copy" getText={() => yaml} disabled={selected.size === 0}>
              Copy
            </ClipboardButton>
            <Button
              size="sm"
              variant="secondary"
              icon="download-alt"
              onClick={() => downloadText('serviceentries.yaml', yaml)}
              data-testid="serviceentry-download"
              disabled={selected.size === 0}
            >
              Download
            </Button>
            <IconButton name="times" aria-label="Close ServiceEntry YAML" onClick={() => setShowYaml(false)} />
          </Stack>
          {selected.size === 0 ? (
            <p data-testid="serviceentry-empty" className={s.yamlTitle}>
              Click cells in the matrix to select them (Space with the keyboard; double-click selects a column&apos;s
              allowed cells): their passthrough destinations become ServiceEntries here.
            </p>
          ) : (
            <pre data-testid="serviceentry-yaml" className={s.yamlText}>
              {yaml}
            </pre>
          )}
        </div>
      )}
    </>
  );
  // Laid out as Grafana's VizLayout lays out a bottom legend (a column: the visualization grows, the
  // legend scrolls beyond its maximum height), with the legend measured before the first paint.
  return (
    <div className={s.layout} style={{ width, height }}>
      <div className={s.viz}>
        {legendHeight !== undefined && (
          <MatrixGrid
            {...props}
            width={width}
            height={Math.max(0, height - legendHeight)}
            model={model}
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
      <div ref={legendRef} style={{ maxHeight: showYaml ? '55%' : '35%' }}>
        <div className={s.legendScroll}>{legend}</div>
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

/** Rows whose numbers are no counts: what the user must know, and what to check. */
function invalidText(n: number): string {
  return `${n} row${n === 1 ? ' has' : 's have'} a value that is no count (NaN, ±Infinity or negative), drawn as 0: check the query or the recording rules.`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({ display: 'flex', flexDirection: 'column' }),
  // VizLayout's visualization area (getVizStyles).
  viz: css({ flexGrow: 2, borderRadius: theme.shape.radius.default }),
  warning: css({ color: theme.colors.warning.text }),
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
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5, 1.5),
    paddingTop: theme.spacing(0.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  entry: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5), whiteSpace: 'nowrap' }),
  ramp: css({ display: 'inline-flex', gap: 1 }),
  swatch: css({ display: 'inline-block', width: 10, height: 12, borderRadius: 1 }),
  actions: css({ display: 'inline-flex', gap: theme.spacing(1), marginLeft: 'auto' }),
  yaml: css({
    marginTop: theme.spacing(0.5),
    maxHeight: 220,
    overflow: 'auto',
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    padding: theme.spacing(1),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  yamlTitle: css({ fontFamily: theme.typography.fontFamily, color: theme.colors.text.secondary }),
  // Long hosts wrap instead of running out of the pane.
  yamlText: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: theme.spacing(1, 0, 0) }),
});
