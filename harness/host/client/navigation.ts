/**
 * Navigation as Grafana's single-page app does it. A click on a link is Grafana's
 * (grafana/grafana public/app/core/navigation/patch/interceptLinkClicks.ts, followed here line for line):
 * skipped with Ctrl/Meta, when a handler already took it, or for a link with a target; otherwise the
 * sub-path is stripped and the location pushed to locationService, except a URL with a protocol
 * (`://`, which includes blob: URLs) or mailto:, which the window loads. Grafana then renders the page for
 * the new location; this host renders only its own, so any other location (Grafana's new-rule form,
 * Explore, an app page from the dashboard) is loaded from the host server, which serves the miniature of
 * what Grafana would show.
 */
import { locationUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';

function interceptLinkClicks(e: MouseEvent): void {
  const anchor = e.target instanceof Element ? e.target.closest('a') : null;
  if (e.ctrlKey || e.metaKey || e.defaultPrevented || !anchor) {
    return;
  }
  let href = anchor.getAttribute('href');
  if (!href || anchor.getAttribute('target')) {
    return;
  }
  e.preventDefault();
  href = locationUtil.stripBaseFromUrl(href);
  if (href[0] !== '/') {
    if (href.indexOf('://') > 0 || href.indexOf('mailto:') === 0) {
      window.location.href = href;
      return;
    }
    if (href.indexOf('#') === 0) {
      window.location.hash = href;
      return;
    }
    href = `/${href}`;
  }
  locationService.push(href);
}

export function navigateLikeGrafana(rendersHere: (pathname: string) => boolean): void {
  document.addEventListener('click', interceptLinkClicks);
  locationService.getHistory().listen((location: { pathname: string; search: string; hash: string }) => {
    if (!rendersHere(location.pathname)) {
      window.location.assign(location.pathname + location.search + location.hash);
    }
  });
}
