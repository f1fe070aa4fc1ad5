import {
  clusterDomainOf,
  compileDestinationNames,
  DEFAULT_SCRAPE_SECONDS,
  errorMessage,
  isNamespaceName,
  parseCidrList,
  parseDuration,
  parseMatchers,
  parseQueryParameters,
} from '../query';
import type { EgressOptions } from './types';

/** The settings (jsonData fields) that can be written wrong. */
export type CheckedSetting =
  | 'customQueryParameters'
  | 'timeInterval'
  | 'extraMatchers'
  | 'destinationNames'
  | 'inClusterCidrs'
  | 'clusterDomain'
  | 'rootNamespace';

/**
 * The data source's settings read once, as the data source runs them, the health check reports them and the
 * config editor marks them: one reading, so the editor never accepts what a query then refuses.
 */
export interface DataSourceSettings {
  /** Where API paths start: the data proxy's URL and the path prefix (Mimir's /prometheus). */
  base: string;
  /** Custom query parameters added to every request. */
  params: Record<string, string>;
  /** The scrape interval in seconds (setting "Scrape interval", Grafana's `timeInterval`). */
  scrapeSeconds: number;
  /** A destination address's name from the settings' rules; names nothing when the rules cannot be read. */
  nameOf: (address: string) => string | undefined;
  /** What is wrong, per setting, in the words the editor shows under the field. */
  problems: Partial<Record<CheckedSetting, string>>;
}

/** Rows of the names table with something in them: the editor's blank row is not a rule yet. */
const namedRules = (json: EgressOptions) => (json.destinationNames ?? []).filter((n) => n.cidr || n.name);

export function readSettings(json: EgressOptions, url = ''): DataSourceSettings {
  const problems: DataSourceSettings['problems'] = {};
  const read = <T>(setting: CheckedSetting, parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (err) {
      problems[setting] = errorMessage(err);
      return fallback;
    }
  };
  const prefix = (json.pathPrefix ?? '').trim().replace(/\/+$/, '');
  const params = read('customQueryParameters', () => parseQueryParameters(json.customQueryParameters), {});
  const scrapeSeconds = read(
    'timeInterval',
    () => parseDuration(json.timeInterval?.trim() || `${DEFAULT_SCRAPE_SECONDS}s`, 'Scrape interval'),
    DEFAULT_SCRAPE_SECONDS
  );
  read('extraMatchers', () => parseMatchers(json.extraMatchers ?? ''), []);
  const nameOf = read(
    'destinationNames',
    () => compileDestinationNames(namedRules(json)),
    () => undefined
  );
  read('inClusterCidrs', () => parseCidrList(json.inClusterCidrs ?? [], 'In-cluster CIDRs'), []);
  read('clusterDomain', () => clusterDomainOf({ clusterDomain: json.clusterDomain }), '');
  if (json.rootNamespace && !isNamespaceName(json.rootNamespace)) {
    problems.rootNamespace = `${JSON.stringify(json.rootNamespace)} is not a Kubernetes namespace name; write meshConfig.rootNamespace (default istio-system).`;
  }
  return {
    base: `${url}${prefix && !prefix.startsWith('/') ? '/' : ''}${prefix}`,
    params,
    scrapeSeconds,
    nameOf,
    problems,
  };
}

/** The settings' titles on the configuration page (ConfigEditor.tsx). */
const TITLES: Record<CheckedSetting, string> = {
  customQueryParameters: 'Custom query parameters',
  timeInterval: 'Scrape interval',
  extraMatchers: 'Extra label matchers',
  destinationNames: 'Destination names',
  inClusterCidrs: 'In-cluster CIDRs',
  clusterDomain: 'Cluster domain',
  rootNamespace: 'Root namespace',
};

/** What is wrong with one setting, in a sentence that names it (the editor shows it under its title). */
export function settingProblem(settings: DataSourceSettings, setting: CheckedSetting): string | undefined {
  const text = settings.problems[setting];
  return text === undefined || text.startsWith(TITLES[setting]) ? text : `${TITLES[setting]}: ${text}`;
}

/**
 * Settings a request is built from (parameters, scrape interval) or every query's scope reads (matchers,
 * CIDRs, cluster domain): one of them wrong stops every query. Destination names only name cells and the
 * root namespace only matters to lock-down plans: queries run without them, and the health check says
 * what is wrong.
 */
const BLOCKING: readonly CheckedSetting[] = [
  'customQueryParameters',
  'timeInterval',
  'extraMatchers',
  'inClusterCidrs',
  'clusterDomain',
];

/** The first setting that stops every query, said as the editor says it. */
export function blockingProblem(settings: DataSourceSettings): string | undefined {
  const setting = BLOCKING.find((s) => settings.problems[s] !== undefined);
  return setting && settingProblem(settings, setting);
}

/** Every problem, for the health check: one sentence per setting, each naming its setting. */
export function settingsProblems(settings: DataSourceSettings): string[] {
  return (Object.keys(settings.problems) as CheckedSetting[]).map((s) => settingProblem(settings, s)!);
}
