// The registry of generators, alphabetical. Each contributes the objects of one routing concern.

import type { Generator } from "./context.js";
import { ingressAuthorizationPolicies } from "./ingress-authorization-policy.js";
import { ingressGateways } from "./ingress-gateway.js";
import { ingressVirtualServices } from "./ingress-virtual-service.js";
import { localServiceEntries } from "./local-service-entry.js";
import { meshVirtualServices } from "./mesh-virtual-service.js";
import { remoteDestinationRules } from "./remote-destination-rule.js";
import { remoteServiceEntries } from "./remote-service-entry.js";

export const generators: readonly Generator[] = [
  ingressAuthorizationPolicies,
  ingressGateways,
  ingressVirtualServices,
  localServiceEntries,
  meshVirtualServices,
  remoteDestinationRules,
  remoteServiceEntries,
];
