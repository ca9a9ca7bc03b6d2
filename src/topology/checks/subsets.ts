// A service's subsets: each name once, each selecting its pods by labels.

import { diag } from "../../diagnostics/catalog.js";
import { at, child } from "../source.js";
import type { TopologyCheck } from "./check.js";
import { uniqueBy } from "./unique.js";

export const subsets: TopologyCheck = {
  name: "subsets",
  codes: ["CW1009", "CW1025"],
  run({ services, report }) {
    for (const { service: s } of services) {
      for (const { item: subset } of uniqueBy(s.subsets, (subset) => subset.name)) {
        const where = at(child(subset.origin, "name"));
        report(diag("CW1009", { kind: "subset", service: s.name, name: subset.name }, where));
      }
      if (s.invalidFields?.has("subsets")) continue;
      for (const subset of s.subsets) {
        if (Object.keys(subset.labels).length > 0) continue;
        const where = at(child(subset.origin, "labels"));
        report(diag("CW1025", { subset: subset.name, service: s.name }, where));
      }
    }
  },
};
