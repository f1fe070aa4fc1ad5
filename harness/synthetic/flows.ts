import type { Category } from '../../src/query/categories';
import type { Verdict } from '../../src/query/labels';

/** One egress flow of the synthetic mesh: what really happened, in the plugin's own terms (mesh.ts renders it). */
export interface FlowBase {
  cluster: string;
  ns: string;
  wl: string;
  verdict: Verdict;
  /** The cell's destination: host (HTTP) or IP (TCP); undefined where the series carry no IP label. */
  destination?: string;
  port?: number;
  start?: number;
  stop?: number;
  resetAt?: number;
  /** What the plugin must call this traffic (default external). */
  category?: Category;
  /** destination_service_name when it is not the verdict's cluster (dynamic DNS, ServiceEntry, ztunnel). */
  serviceName?: string;
  /** reporter (default source; `waypoint` for an ambient waypoint). */
  reporter?: string;
  /** Labels as the emitting proxy writes them, over the defaults (destination_workload, ...). */
  labels?: Record<string, string>;
  /** Replicas: each pod exports its own series (scrape labels `pod` and `instance`), all counting. */
  pods?: number;
  /**
   * The port the client really connected to, where the labels do not carry it (an IP label without a port,
   * a registered TCP host): the lock-down switch simulator matches ServiceEntries against it.
   */
  dialPort?: number;
}

export interface HttpFlow extends FlowBase {
  listener: 'http';
  /** destination_service as written (a Host header, maybe with a port); defaults to destination. */
  hostHeader?: string;
  /** Requests per scrape interval by response code. */
  codes: Record<string, number>;
}

export interface TcpFlow extends FlowBase {
  listener: 'tcp';
  /** The IP label's value as written (bare, IP:port, [IPv6]:port); absent when the label is not configured. */
  ipValue?: string;
  connsPerStep: number;
  sentPerStep: number;
  receivedPerStep: number;
  /** Connections already open before the data starts (long-lived): closed stays flat, bytes move. */
  initialConnections?: number;
}

export type Flow = HttpFlow | TcpFlow;
