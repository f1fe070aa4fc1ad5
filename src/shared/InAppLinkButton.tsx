import React from 'react';
import { locationUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { LinkButton } from '@grafana/ui';

type LinkButtonProps = React.ComponentProps<typeof LinkButton>;
interface Props {
  href: string;
  children: React.ReactNode;
  variant?: LinkButtonProps['variant'];
  icon?: LinkButtonProps['icon'];
  size?: LinkButtonProps['size'];
  'data-testid'?: string;
}

/**
 * A LinkButton to a page of this Grafana whose URL reaches the page as it was built. Grafana 13.1+'s
 * LinkButton runs `href` through textUtil.sanitizeUrl, which decodes it (Button.tsx; see
 * src/shared/urlJson.ts): a `%26` or `%2B` in a parameter turns into a separator or a space. A plain click
 * goes where Grafana's own link interception would send the undecoded URL (locationService.push, after
 * stripping the sub-path: public/app/core/navigation/patch/interceptLinkClicks.ts skips clicks already
 * handled); a click that opens a tab or window gets the sanitized href, which carries JSON parameters
 * intact when they are written with urlSafeJson.
 */
export function InAppLinkButton({ href, ...rest }: Props) {
  return (
    <LinkButton
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
          return;
        }
        e.preventDefault();
        locationService.push(locationUtil.stripBaseFromUrl(href));
      }}
    />
  );
}
