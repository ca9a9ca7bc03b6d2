// What the live-cluster tests share: clusters as Istio and Bookinfo leave them, to seed a stand-in API
// server (kube-stand-in.ts) with. (cw itself runs in-process through ./cw.ts.)

import type { StoredObject } from "./kube-stand-in.js";

export const OURS = {
  "app.kubernetes.io/managed-by": "coddiwomple",
  "coddiwomple.io/federation": "bookinfo",
};

export const service = (
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  status?: unknown,
): StoredObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec,
  ...(status !== undefined && { status }),
});
export const http9080 = { ports: [{ name: "http", port: 9080, protocol: "TCP", targetPort: 9080 }] };

/** A pod of the ingress gateway (labels as istioctl and the Helm chart set them). */
export const gatewayPod = (
  name: string,
  serviceAccount: string,
  extra: Partial<StoredObject["metadata"]> = {},
): StoredObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "istio-system",
    labels: { app: "istio-ingressgateway", istio: "ingressgateway" },
    ...extra,
  },
  spec: { serviceAccountName: serviceAccount, containers: [{ name: "istio-proxy", image: "istio/proxyv2" }] },
});

/**
 * A cluster as Istio and Bookinfo leave it: Services, the gateway Service (and, with gatewayAccount,
 * its pod), istiod and its mesh config.
 */
export function istioCluster(options: {
  version: string;
  trustDomain?: string;
  address: { ip: string } | { hostname: string };
  services: string[];
  gatewayAccount?: string;
  /** Turn on the sidecar DNS proxy mesh-wide, as cw's dns/istio-dns-proxy.yaml says. */
  dnsCapture?: boolean;
  /** The root-cert.pem of ConfigMap istio-system/istio-ca-root-cert, as istiod writes it. */
  rootCert?: string;
}): StoredObject[] {
  return [
    ...(options.gatewayAccount !== undefined
      ? [gatewayPod("istio-ingressgateway-7d9f", options.gatewayAccount)]
      : []),
    ...options.services.map((s) => service("default", s, http9080)),
    service("default", "kubernetes", { ports: [{ name: "https", port: 443, protocol: "TCP" }] }),
    service("kube-system", "kube-dns", { ports: [{ name: "dns", port: 53, protocol: "UDP" }] }),
    service(
      "istio-system",
      "istio-ingressgateway",
      {
        type: "LoadBalancer",
        selector: { app: "istio-ingressgateway", istio: "ingressgateway" },
        ports: [15021, 80, 443, 15443].map((port) => ({ name: `p${port}`, port, protocol: "TCP" })),
      },
      { loadBalancer: { ingress: [options.address] } },
    ),
    service("istio-system", "istiod", {
      selector: { app: "istiod" },
      ports: [{ name: "grpc-xds", port: 15010, protocol: "TCP" }],
    }),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "istiod", namespace: "istio-system", labels: { app: "istiod", istio: "pilot" } },
      spec: {
        template: {
          spec: { containers: [{ name: "discovery", image: `docker.io/istio/pilot:${options.version}` }] },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "istio", namespace: "istio-system" },
      data: {
        mesh: `defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n${options.dnsCapture ? '  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: "true"\n' : ""}${options.trustDomain ? `trustDomain: ${options.trustDomain}\n` : ""}`,
      },
    },
    ...(options.rootCert !== undefined
      ? [
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "istio-ca-root-cert", namespace: "istio-system" },
            data: { "root-cert.pem": options.rootCert },
          },
        ]
      : []),
  ];
}
