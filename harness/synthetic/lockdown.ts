import type { Flow } from './flows';

/**
 * A namespace switched from ALLOW_ANY to REGISTRY_ONLY halfway through the demo's two hours: its Sidecar
 * got `outboundTrafficPolicy: REGISTRY_ONLY` at LOCKDOWN_SWITCH_STEP. What it reached unregistered before
 * is blocked after; the host a ServiceEntry registers keeps working; a TCP destination without the IP
 * label cannot be registered from telemetry at all.
 */
export const LOCKDOWN_CLUSTER = 'lockdown-1';
export const LOCKDOWN_NAMESPACE = 'billing';
/** The step (of the demo grid's 480) at which the namespace switched. */
export const LOCKDOWN_SWITCH_STEP = 200;

export function lockdownFlows(): Flow[] {
  const c = LOCKDOWN_CLUSTER;
  const ns = LOCKDOWN_NAMESPACE;
  const before = { start: 0, stop: LOCKDOWN_SWITCH_STEP - 1 };
  const after = { start: LOCKDOWN_SWITCH_STEP };
  return [
    ...(['passthrough', 'blackhole'] as const).flatMap((verdict): Flow[] => {
      const when = verdict === 'passthrough' ? before : after;
      const codes = (n: number): Record<string, number> => (verdict === 'passthrough' ? { '200': n } : { '502': n });
      return [
        {
          cluster: c,
          ns,
          wl: 'invoicer',
          verdict,
          listener: 'http' as const,
          destination: 'api.paypal.com',
          codes: codes(2),
          ...when,
        },
        {
          cluster: c,
          ns,
          wl: 'notifier',
          verdict,
          listener: 'http' as const,
          destination: 'hooks.zapier.com',
          codes: codes(1),
          ...when,
        },
        // The registered host on a port its ServiceEntry does not list: PassthroughCluster, not registered.
        {
          cluster: c,
          ns,
          wl: 'invoicer',
          verdict,
          listener: 'http' as const,
          destination: 'api.partner.example',
          hostHeader: 'api.partner.example:8443',
          port: 8443,
          codes: codes(1),
          ...when,
        },
        {
          cluster: c,
          ns,
          wl: 'exporter',
          verdict,
          listener: 'tcp' as const,
          destination: '198.51.100.40',
          port: 443,
          ipValue: '198.51.100.40:443',
          connsPerStep: 1,
          sentPerStep: verdict === 'passthrough' ? 400 : 0,
          receivedPerStep: verdict === 'passthrough' ? 900 : 0,
          ...when,
        },
      ];
    }),
    // Registered by a ServiceEntry in the namespace (Istio >= 1.23 writes its namespace): allowed throughout.
    {
      cluster: c,
      ns,
      wl: 'invoicer',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.partner.example',
      serviceName: 'api.partner.example',
      labels: { destination_service_namespace: ns },
      codes: { '200': 3 },
      category: 'registered',
    },
    // Catch-all TCP whose metrics carry no destination IP label: nothing to register it with.
    {
      cluster: c,
      ns,
      wl: 'archiver',
      verdict: 'passthrough',
      listener: 'tcp',
      connsPerStep: 1,
      sentPerStep: 100,
      receivedPerStep: 10,
      ...before,
    },
  ];
}
