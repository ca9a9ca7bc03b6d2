// Names given twice within their list: services, a service's ports (by name and by number) and its
// aliases (an alias is another name of the service; the same name twice would give two objects of one
// name).

import { diag } from "../../diagnostics/catalog.js";
import type { Service } from "../model.js";
import { at } from "../source.js";
import type { CheckContext, TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const names: TopologyCheck = {
  name: "names",
  codes: ["CW1009"],
  run(ctx) {
    for (const { item: s, first } of uniqueBy(ctx.topology.services, (s) => s.name)) {
      const firstLine = at(first.origins.name).line;
      ctx.report(diag("CW1009", { kind: "service", name: s.name, firstLine }, at(s.origins.name)));
    }
    for (const { service } of ctx.services) {
      ports(service, ctx);
      aliases(service, ctx);
    }
  },
};

function ports(s: Service, { report }: CheckContext): void {
  for (const { item: p } of uniqueBy(s.ports, (p) => p.name)) {
    report(diag("CW1009", { kind: "port-name", service: s.name, name: p.name }, at(p.origins.name)));
  }
  for (const { item: p } of uniqueBy(s.ports, (p) => p.port)) {
    report(diag("CW1009", { kind: "port-number", service: s.name, port: p.port }, at(p.origins.port)));
  }
}

function aliases(s: Service, { report }: CheckContext): void {
  const all = [{ name: s.name, origin: undefined }, ...s.aliases];
  for (const { item: a } of uniqueBy(all, (a) => a.name)) {
    if (a.origin === undefined) continue;
    const kind = a.name === s.name ? "own-name" : "alias";
    report(diag("CW1009", { kind, service: s.name, name: a.name }, at(a.origin)));
  }
}
