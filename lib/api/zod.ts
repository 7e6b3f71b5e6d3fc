import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

// zod with `.openapi()`: zod 4 gives a schema the prototype's methods when it is created, so the
// extension must run before lib/api/v1-schemas.ts builds its schemas — they import z from here.
extendZodWithOpenApi(z);

export { z };
