import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";

// GET /api/v1/openapi.json — the API's OpenAPI 3.1 document, generated from the routes' zod
// schemas. Public (no API key): it describes the API, it holds no data.
let cached: ReturnType<typeof openApiDocument> | undefined;

export function GET(): Response {
  cached ??= openApiDocument();
  return NextResponse.json(cached, { headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" } });
}
