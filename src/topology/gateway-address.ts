// What an ingress gateway address may be: what other clusters' sidecars can dial and Istio accepts as
// a ServiceEntry endpoint. An IPv4 address in dotted decimal (no leading zeros, which some readers
// take for octal), an IPv6 address (without a zone, which means nothing in another cluster), or a DNS
// name as Istio checks one (pkg/config/validation/agent/validation.go, ValidateFQDN: labels of
// letters, digits and '-', and a last label that is not all digits). Anything else would be written
// into ServiceEntries that Istio refuses or resolves wrongly; each wrong form gets its own advice.

import { isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";

const HOST_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
const ALONE = "write the address alone (the gateway's port is ingress.port, 15443 by default)";

/**
 * Why `address` cannot be a gateway address and what to write instead (the two parts of CW1014's
 * message, after the address); undefined when it can be one.
 */
export function gatewayAddressProblem(address: string): readonly [wrong: string, todo: string] | undefined {
  const why = problemText(address);
  if (why === undefined) return undefined;
  const cut = why.indexOf("; ");
  return [why.slice(0, cut), why.slice(cut + 2)];
}

/** The problem as one sentence, "what is wrong; what to do". */
function problemText(address: string): string | undefined {
  if (address === "") return undefined; // empty text has a problem of its own (CW1003)
  if (ipaddr.IPv4.isValidFourPartDecimal(address) || (isIPv6(address) && !address.includes("%"))) {
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    return "is a URL; write only the host name or IP address, such as eastwest.b.example";
  }
  if (/^\[[^\]]*\](:\d+)?$/.test(address))
    return `is an IPv6 address in brackets; ${ALONE}, without brackets`;
  if (/^[^:/]+:\d+$/.test(address)) return `has a port; ${ALONE}`;
  if (address.includes("/")) return "has a path or a prefix length; write one IP address or host name";
  if (address.includes("%") && isIPv6(address.split("%")[0] ?? "")) {
    return "has a zone index, which means nothing in another cluster; write the address without %zone";
  }
  if (address.includes(":")) return "is not an IPv6 address; check the digits and colons";
  if (/^[\d.]+$/.test(address)) {
    return "is not an IPv4 address; write four numbers from 0 to 255, without leading zeros, such as 192.0.2.10";
  }
  // A name that some IP parsers read as an address (0x7f000001, 127.1): refuse rather than guess.
  if (ipaddr.isValid(address)) {
    return "reads as an IP address in an unusual form; write it as four decimal numbers, such as 192.0.2.10";
  }
  const labels = address.split(".");
  if (address.length > 253 || labels.some((l) => l.length > 63 || !HOST_LABEL.test(l))) {
    return "is not a DNS name; use labels of letters, digits and '-' joined by dots, such as eastwest.b.example, or an IP address";
  }
  if (/^\d+$/.test(labels.at(-1) ?? "")) {
    return "is not a DNS name, since its last label is all digits; write an IP address as four numbers, or a host name";
  }
  return undefined;
}
