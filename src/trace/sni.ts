// The SNI Istio uses for mesh-internal mutual TLS when a DestinationRule sets none: the outbound
// cluster's name in DNS form, "outbound_.<port>_.<subset>_.<host>" (istio's BuildDNSSrvSubsetKey,
// used as the ISTIO_MUTUAL default SNI in pilot's cluster builder). An AUTO_PASSTHROUGH gateway
// server reads service, subset and port back out of exactly this form
// (https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode).

export interface ClusterKey {
  readonly port: number;
  readonly subset: string;
  readonly host: string;
}

export const outboundSni = (k: ClusterKey): string => `outbound_.${k.port}_.${k.subset}_.${k.host}`;

export function parseOutboundSni(sni: string): ClusterKey | undefined {
  const m = /^outbound_\.(\d+)_\.([^_]*)_\.(.+)$/.exec(sni);
  if (!m) return undefined;
  return { port: Number(m[1]), subset: m[2] ?? "", host: m[3] ?? "" };
}
