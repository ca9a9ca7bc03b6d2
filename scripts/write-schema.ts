// Writes schema/federation.schema.json from the zod schema in src/topology/schema.ts, so editors can
// complete and check Federation files. test/schema.test.ts fails when the shipped file is stale.

import { writeFileSync } from "node:fs";
import { federationJsonSchemaText } from "../src/topology/json-schema.js";

writeFileSync(new URL("../schema/federation.schema.json", import.meta.url), federationJsonSchemaText());
process.stdout.write("wrote schema/federation.schema.json\n");
