// The SNI a caller's proxy sends for one port of a route, shared by the DestinationRules that set it
// and checked against what the remote gateway accepts (plan/exports.ts computes the same names).

import { passthroughSni, portSni } from "../plan/names.js";
import type { PortPlan, Route } from "../plan/plan.js";

export function sniFor(route: Route, port: PortPlan, subset?: string): string {
  const s = route.service;
  if (route.mode === "passthrough") return passthroughSni(port.port.targetPort, s.backendHost, subset);
  // Terminated at the remote gateway: the HTTP port goes by the service's host (a subset travels in
  // a header, see mesh-virtual-service.ts); other ports by their own name.
  return port.crossing === "http" ? s.primaryHost : portSni(port.port.port, s.primaryHost, subset);
}

/** The port whose SNI the DestinationRule sets at the top; the others get port-level settings. */
export const mainPort = (route: Route): PortPlan | undefined =>
  route.service.ports.find((p) => p.crossing === "http") ?? route.service.ports[0];
