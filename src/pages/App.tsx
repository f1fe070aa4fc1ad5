import React from 'react';
import type { AppRootProps } from '@grafana/data';
import { Route, Routes } from 'react-router-dom';
import { LockdownList } from './LockdownList';
import { LockdownMesh } from './LockdownMesh';
import { LockdownNamespace } from './LockdownNamespace';
import { Overview } from './Overview';
import { APP_ROUTES } from '../shared/ids';

/** The app's pages, routed as the create-plugin template routes them (paths relative to /a/<app id>/). */
function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={`${APP_ROUTES.lockdown}/:namespace`} element={<LockdownNamespace />} />
      <Route path={APP_ROUTES.lockdown} element={<LockdownList />} />
      <Route path={APP_ROUTES.lockdownMesh} element={<LockdownMesh />} />
      <Route path="*" element={<Overview />} />
    </Routes>
  );
}

export default App;
