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
import * as reactRouter from 'react-router';
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
  // Grafana shares react-router: the plugin's bundled react-router-dom reads the host's Router through it.
  'react-router': reactRouter,
};

export function systemJS(): SystemJSLike {
  return (window as unknown as { System: SystemJSLike }).System;
}

/**
 * `overrides` replace exports of a shared package, for what Grafana sets at start through setters that
 * its packages do not export to plugins (setPanelRenderer).
 */
export function registerShared(overrides: Record<string, Record<string, unknown>> = {}): void {
  const System = systemJS();
  const imports: Record<string, string> = {};
  for (const [name, pkg] of Object.entries(shared)) {
    const mod = overrides[name] ? { ...(pkg as object), ...overrides[name] } : pkg;
    const id = `app:${name}`;
    // AMD dependencies receive `default` when __useDefault is set: the package namespace itself.
    System.set(id, { default: mod, __useDefault: true });
    imports[name] = id;
  }
  System.addImportMap({ imports });
}
