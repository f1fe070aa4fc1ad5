import React, { Suspense, lazy } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { APP_CONFIG_PAGE } from './shared/ids';
import type { AppSettings } from './pages/lockdownData';

const LazyApp = lazy(() => import('./pages/App'));
const LazyConfig = lazy(() => import('./pages/AppConfig').then((m) => ({ default: m.AppConfig })));

const App = (props: AppRootProps<AppSettings>) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<AppSettings>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  id: APP_CONFIG_PAGE,
  body: (props) => (
    <Suspense fallback={<LoadingPlaceholder text="" />}>
      <LazyConfig {...props} />
    </Suspense>
  ),
});
