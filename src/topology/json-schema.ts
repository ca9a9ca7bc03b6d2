// The JSON Schema text shipped in schema/federation.schema.json and printed by `cw schema`.

import { federationJsonSchema } from "./schema.js";

export const federationJsonSchemaText = (): string => `${JSON.stringify(federationJsonSchema(), null, 2)}\n`;
