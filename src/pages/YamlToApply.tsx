import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ClipboardButton, Stack, Text, useStyles2 } from '@grafana/ui';
import { downloadText } from '../shared/download';

/** What a lock-down page tells users to apply: the YAML as code that scrolls, to copy or download as `file`. */
export function YamlToApply({
  yaml,
  file,
  hint,
  testId,
}: {
  yaml: string;
  file: string;
  hint: string;
  testId: string;
}) {
  const s = useStyles2(getStyles);
  return (
    <>
      <Text element="h3">The change to apply</Text>
      <Text color="secondary">{hint}</Text>
      <pre className={s.yaml} data-testid={testId}>
        {yaml}
      </pre>
      <Stack gap={1}>
        <ClipboardButton icon="copy" getText={() => yaml}>
          Copy YAML
        </ClipboardButton>
        <Button icon="download-alt" variant="secondary" onClick={() => downloadText(file, yaml)}>
          Download {file}
        </Button>
      </Stack>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  yaml: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1),
    maxHeight: 480,
    overflow: 'auto',
  }),
});
