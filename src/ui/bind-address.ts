// Where cw ui may listen. The page has no login: whoever reaches it reads the topology. So it binds to
// a loopback address unless the user says otherwise, and never to an unspecified address (0.0.0.0, ::,
// and every other spelling of them: ::0, 0:0:0:0:0:0:0:0, ::ffff:0.0.0.0), which means every interface
// of the machine. The decision is made on the parsed address, not on how it is written.

import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export type BindAddress =
  /** `host` is the address in its canonical form, as the server binds and names it. */
  | { readonly ok: true; readonly host: string; readonly loopback: boolean }
  | { readonly ok: false; readonly problem: string };

export function bindAddress(host: string, allowRemote: boolean): BindAddress {
  if (isIP(host) === 0) {
    return {
      ok: false,
      problem: `${host} is not an IP address; give one of this machine's, such as 127.0.0.1`,
    };
  }
  const address = ipaddr.process(host);
  const range = address.range();
  const canonical = address.toString();
  if (range === "unspecified") {
    return {
      ok: false,
      problem: `${host} means every interface of this machine, where anyone who reaches it can read the topology; give one address, such as 127.0.0.1`,
    };
  }
  if (range === "broadcast" || range === "multicast") {
    return {
      ok: false,
      problem: `${host} is a ${range} address, not one of this machine's; give one such as 127.0.0.1`,
    };
  }
  if (range === "loopback") return { ok: true, host: canonical, loopback: true };
  if (!allowRemote) {
    return {
      ok: false,
      problem: `${host} is not a loopback address, and the page has no login: anyone who reaches it can read the topology; add --allow-remote if that is what you want`,
    };
  }
  return { ok: true, host: canonical, loopback: false };
}
