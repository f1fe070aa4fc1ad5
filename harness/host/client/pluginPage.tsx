/**
 * Grafana's PluginPage for app pages, in miniature (grafana/grafana public/app/core/components/Page/
 * PluginPage.tsx renders `<Page navModel={sectionNav} pageNav={pageNav}>`): the section nav is the app's
 * plugin.json pages (`includes` of type page with addToNav), the active one the page whose URL the location
 * starts with (buildPluginSectionNav); the title is `pageNav.text`, else the active page's; breadcrumbs run
 * Home › Apps › the app › the active page › pageNav. @grafana/runtime's own PluginPage renders the children
 * alone until Grafana sets it at start, which is why the host sets this one.
 */
import React from 'react';
import { useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2, NavModelItem } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';

export interface AppNav {
  /** The app's name and home URL. */
  app: { text: string; url: string };
  /** plugin.json's pages in the nav, in order. */
  pages: Array<{ text: string; url: string }>;
}

let nav: AppNav = { app: { text: 'App', url: '/' }, pages: [] };

export function setAppNav(n: AppNav): void {
  nav = n;
}

/**
 * The page the location is in: the longest nav URL it starts with, as plain text (buildPluginSectionNav's
 * `currentUrl.startsWith(page.url)`, so /lockdown-mesh is under /lockdown in Grafana too).
 */
export function activePage(pathname: string, pages: AppNav['pages']): AppNav['pages'][number] | undefined {
  return pages.filter((p) => pathname.startsWith(p.url)).sort((a, b) => b.url.length - a.url.length)[0];
}

function crumbsOf(pageNav: NavModelItem | undefined): NavModelItem[] {
  const out: NavModelItem[] = [];
  for (let n: NavModelItem | undefined = pageNav; n; n = n.parentItem) {
    out.unshift(n);
  }
  return out;
}

export function HostPluginPage({ pageNav, subTitle, actions, children }: PluginPageProps) {
  const { pathname } = useLocation();
  const active = activePage(pathname, nav.pages);
  return (
    <GrafanaPage
      crumbs={[
        { text: 'Apps' },
        { text: nav.app.text, url: nav.app.url },
        ...(active ? [active] : []),
        ...crumbsOf(pageNav),
      ]}
      title={pageNav?.text ?? active?.text ?? nav.app.text}
      subTitle={subTitle ?? pageNav?.subTitle}
      actions={actions}
    >
      {children}
    </GrafanaPage>
  );
}

/** Grafana's Page chrome: breadcrumbs from Home, the title with its actions, the subtitle, the contents. */
export function GrafanaPage({
  crumbs,
  title,
  subTitle,
  actions,
  children,
}: {
  crumbs: Array<{ text: string; url?: string }>;
  title: string;
  subTitle?: React.ReactNode;
  actions?: React.ReactNode;
  children: React.ReactNode;
}) {
  const s = useStyles2(getStyles);
  const all = [{ text: 'Home', url: '/' }, ...crumbs];
  return (
    <div className={s.page} data-testid="plugin-page">
      <nav aria-label="Breadcrumbs" className={s.crumbs}>
        {all.map((c, i) => (
          <React.Fragment key={`${i}-${c.text}`}>
            {i > 0 && <span aria-hidden> › </span>}
            {c.url && i < all.length - 1 ? <a href={c.url}>{c.text}</a> : <span>{c.text}</span>}
          </React.Fragment>
        ))}
      </nav>
      <div className={s.header}>
        <h1 className={s.title}>{title}</h1>
        {actions}
      </div>
      {subTitle && <div className={s.sub}>{subTitle}</div>}
      <div>{children}</div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(2, 3) }),
  crumbs: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    a: { color: 'inherit' },
  }),
  header: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2), margin: theme.spacing(1, 0) }),
  title: css({ ...theme.typography.h1, margin: 0 }),
  sub: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(2) }),
});
