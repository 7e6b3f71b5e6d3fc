// `npm run openapi [-- out.json]`: writes the /api/v1 OpenAPI document (the one served at
// /api/v1/openapi.json) to a file, or to stdout. `npm test`'s lint stage lints it with Redocly;
// examples/host-app generates its typed client from it.
import { writeFileSync } from "node:fs";
import { openApiDocument } from "../lib/api/openapi";

const out = process.argv[2];
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (out) writeFileSync(out, text);
else process.stdout.write(text);
