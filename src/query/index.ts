/** The query core: PromQL templates and result shaping, shared by the data source, panel, CLI and provisioning. */
export * from './labels';
export * from './errors';
export * from './escaping';
export * from './matchers';
export * from './selectors';
export * from './templates';
export * from './destination';
export * from './destinationNames';
export * from './cells';
export * from './prometheusApi';
export * from './matrix';
export * from './serviceEntries';
export * from './telemetrySnippet';
export * from './fetchTransport';
export * from './healthCheck';
export * from './time';
export * from './alerts';
