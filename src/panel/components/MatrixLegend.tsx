import React, { memo, useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ClipboardButton, Drawer, Stack, useStyles2 } from '@grafana/ui';
import { serviceEntriesYaml, serviceEntrySummary } from '../../query';
import { InAppLinkButton } from '../../shared/InAppLinkButton';
import { downloadText } from '../../shared/download';
import type { MatrixOptions } from '../../shared/panelOptions';
import { CELL_CLASSES, CLASS_INDEX, type CellClass, paletteIndex } from '../model/colors';
import type { MatrixModel } from '../model/matrix';

const CLASS_NAMES: Record<CellClass, string> = {
  blackhole: 'BlackHole',
  passthrough: 'Passthrough',
  both: 'Both',
  notExternal: 'Not external',
  blockedInMesh: 'Blocked in-mesh',
};

/** Rows whose numbers are no counts: what the user must know, and what to check. */
export function invalidText(n: number): string {
  return `${n} row${n === 1 ? ' has' : 's have'} a value that is no count (NaN, ±Infinity or negative), drawn as 0: check the query or the recording rules.`;
}

interface Props {
  model: MatrixModel;
  palette: readonly string[];
  levels: number;
  errors: readonly string[];
  alertHref?: string;
  selected: ReadonlySet<number>;
  showYaml: boolean;
  setShowYaml: (show: boolean) => void;
  serviceEntryScope: MatrixOptions['serviceEntryScope'];
}

/**
 * The legend below the grid: the color steps per class, warnings, the alert and ServiceEntry actions and
 * the YAML pane. Memoized: the panel renders twice before its first paint (the second lays the grid out
 * under the measured legend) with the same legend props, which the second render then skips (no
 * difference the panel bench can tell at 10k cells; it keeps the second pass to the grid).
 */
export const MatrixLegend = memo(function MatrixLegend(props: Props) {
  const { model, palette, levels, errors, alertHref, selected, showYaml, setShowYaml, serviceEntryScope } = props;
  const s = useStyles2(getStyles);
  const shownClasses = CELL_CLASSES.filter(
    (c) => model.hasNotExternal || (c !== 'notExternal' && c !== 'blockedInMesh')
  );
  const step = (cls: CellClass, level: number) => palette[paletteIndex(CLASS_INDEX[cls], level, levels)];
  const selectedCells = showYaml ? Array.from(selected).flatMap((i) => model.cell(i).sources) : [];
  const yaml = showYaml ? serviceEntriesYaml(selectedCells, { scope: serviceEntryScope }) : '';
  // The button counts what the YAML will hold, and the pane says why the other selected cells are not in it.
  const summary = useMemo(
    () =>
      selected.size === 0
        ? undefined
        : serviceEntrySummary(
            Array.from(selected, (i) => model.cell(i).sources),
            { scope: serviceEntryScope }
          ),
    [selected, model, serviceEntryScope]
  );
  const entries = summary?.entries ?? 0;
  return (
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
            ServiceEntry YAML ({entries})
          </Button>
        </span>
      </div>
      {showYaml && (
        // Grafana's Drawer, as its panel inspector opens: the YAML gets the room it needs and the grid
        // keeps its size underneath (a pane inside the panel squashed rows to a few pixels).
        <Drawer
          title="ServiceEntry YAML"
          subtitle={
            <span data-testid="serviceentry-title">
              {entries} ServiceEntr{entries === 1 ? 'y' : 'ies'} from {summary?.written ?? 0} of {selected.size}{' '}
              selected cell{selected.size === 1 ? '' : 's'}
            </span>
          }
          size="md"
          onClose={() => setShowYaml(false)}
        >
          <div role="region" aria-label="ServiceEntry YAML" data-testid="serviceentry-pane">
            <Stack gap={1} alignItems="center">
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
              <Button
                size="sm"
                variant="secondary"
                icon="times"
                aria-label="Close ServiceEntry YAML"
                onClick={() => setShowYaml(false)}
              >
                Close
              </Button>
            </Stack>
            {selected.size === 0 ? (
              <p data-testid="serviceentry-empty" className={s.yamlTitle}>
                Click cells in the matrix to select them (Space with the keyboard; double-click selects a column&apos;s
                allowed cells): their passthrough destinations become ServiceEntries here.
              </p>
            ) : (
              <>
                {summary && summary.notWritten.size > 0 && (
                  <p data-testid="serviceentry-skipped" className={s.yamlTitle}>
                    Not written:{' '}
                    {Array.from(summary.notWritten, ([why, n]) => `${n} cell${n === 1 ? '' : 's'}: ${why}`).join('; ')}.
                  </p>
                )}
                <pre data-testid="serviceentry-yaml" className={s.yamlText}>
                  {yaml}
                </pre>
              </>
            )}
          </div>
        </Drawer>
      )}
    </>
  );
});

const getStyles = (theme: GrafanaTheme2) => ({
  warning: css({ color: theme.colors.warning.text }),
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
  yamlTitle: css({ color: theme.colors.text.secondary, margin: theme.spacing(1, 0, 0) }),
  // Long hosts wrap instead of running out of the drawer.
  yamlText: css({
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    margin: theme.spacing(1, 0, 0),
    padding: theme.spacing(1),
    background: theme.colors.background.secondary,
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
