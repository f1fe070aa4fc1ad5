import React, { useEffect, useState } from 'react';
import { Router } from 'react-router-dom';
import { locationService } from '@grafana/runtime';

/**
 * A react-router v6 Router over locationService's history (history v4: listen passes the location first),
 * as Grafana renders every page inside one: links of @grafana/ui (TextLink, LinkButton) need it.
 */
export function LocationRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen((l: typeof location) => setLocation(l)), [history]);
  return (
    <Router location={location} navigator={history}>
      {children}
    </Router>
  );
}
