/** Types of packageSet.js, for the TypeScript that reads it (the browser host's bundler). */
export interface PackageSet {
  /** e.g. "Grafana 13.2.3, React 19.2.8", in test names. */
  name: string;
  /** The set's node_modules. */
  modules: string;
  /** The runtime packages it swaps. */
  packages: string[];
  /** The folder `request` made from `dir` resolves from, when the set swaps it. */
  resolveFrom(request: string, dir: string): string | undefined;
  tsconfig: string;
}

export function latestSet(): PackageSet | undefined;
