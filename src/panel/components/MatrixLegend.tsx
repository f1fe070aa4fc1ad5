import React, { memo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ClipboardButton, IconButton, Stack, useStyles2 } from '@grafana/ui';
import { serviceEntriesYaml } from '../../query';
import { InAppLinkButton } from '../../components/InAppLinkButton';
import { downloadText } from '../../shared/download';
import type { MatrixOptions } from '../../shared/panelOptions';
import { CELL_CLASSES, CLASS_INDEX, type CellClass } from '../model/colors';
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
  const step = (cls: CellClass, level: number) => palette[CLASS_INDEX[cls] * (levels + 1) + level];
  const selectedCells = showYaml ? Array.from(selected).flatMap((i) => model.cell(i).sources) : [];
  const yaml = showYaml ? serviceEntriesYaml(selectedCells, { scope: serviceEntryScope }) : '';
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
