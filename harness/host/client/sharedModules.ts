/**
 * The packages Grafana shares with plugins, registered in SystemJS under the names the plugin's AMD
 * modules import (webpack externals): the same module instances the host uses, as in Grafana, so
 * setBackendSrv()/setTemplateSrv() here are what getBackendSrv()/getTemplateSrv() return in the plugin.
 */
import * as emotionCss from '@emotion/css';
import * as data from '@grafana/data';
import * as runtime from '@grafana/runtime';
import * as ui from '@grafana/ui';
import lodash from 'lodash';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';

interface SystemJSLike {
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(url: string): Promise<Record<string, unknown>>;
}

export const shared: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': data,
  '@grafana/ui': ui,
  '@grafana/runtime': runtime,
  '@emotion/css': emotionCss,
  rxjs,
  lodash,
};

export function systemJS(): SystemJSLike {
  return (window as unknown as { System: SystemJSLike }).System;
}

export function registerShared(): void {
  const System = systemJS();
  const imports: Record<string, string> = {};
  for (const [name, mod] of Object.entries(shared)) {
    const id = `app:${name}`;
    // AMD dependencies receive `default` when __useDefault is set: the package namespace itself.
    System.set(id, { default: mod, __useDefault: true });
    imports[name] = id;
  }
  System.addImportMap({ imports });
}
