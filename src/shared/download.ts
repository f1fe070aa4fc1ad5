/**
 * Saves `text` as a file: a blob URL clicked once. Not a `data:` URL in an href: @grafana/ui 13.1+
 * LinkButton runs its href through textUtil.sanitizeUrl, which turns `data:` URLs into about:blank.
 * The click stops at the link: Grafana's document-wide link interception (interceptLinkClicks.ts) would
 * otherwise take a `blob:` URL for another site's and load it in the window instead of saving the file.
 */
export function downloadText(name: string, text: string, type = 'application/yaml'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  a.addEventListener('click', (e) => e.stopPropagation());
  document.body.appendChild(a);
  a.click();
  a.remove();
  // After the click has started the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
