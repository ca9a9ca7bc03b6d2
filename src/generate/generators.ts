// The registry of generators, alphabetical. Each contributes the objects of one routing concern.

import { allowPolicies } from "./allow-policy.js";
import { backendDestinationRules } from "./backend-destination-rule.js";
import type { Generator } from "./context.js";
import { destinationRules } from "./destination-rule.js";
import { egressDestinationRules, egressGateways, egressVirtualServices } from "./egress.js";
import { egressAuthorizationPolicies } from "./egress-authorization-policy.js";
import { ingressAuthorizationPolicies } from "./ingress-authorization-policy.js";
import { ingressGateways } from "./ingress-gateway.js";
import { ingressVirtualServices } from "./ingress-virtual-service.js";
import { kubernetesNameServiceEntries, kubernetesNameVirtualServices } from "./kubernetes-name.js";
import { meshVirtualServices } from "./mesh-virtual-service.js";
import { serviceEntries } from "./service-entry.js";
import { sidecars } from "./sidecar.js";
import { workloadAuthorizationPolicies } from "./workload-authorization-policy.js";

export const generators: readonly Generator[] = [
  allowPolicies,
  backendDestinationRules,
  destinationRules,
  egressAuthorizationPolicies,
  egressDestinationRules,
  egressGateways,
  egressVirtualServices,
  ingressAuthorizationPolicies,
  ingressGateways,
  ingressVirtualServices,
  kubernetesNameServiceEntries,
  kubernetesNameVirtualServices,
  meshVirtualServices,
  serviceEntries,
  sidecars,
  workloadAuthorizationPolicies,
];
