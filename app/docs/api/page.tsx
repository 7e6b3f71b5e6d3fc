import type { Metadata } from "next";
import { ApiReference } from "@/components/docs/api-reference";
import { PageTitle } from "@/components/page-title";

export const metadata: Metadata = { title: "API reference" };

// /docs/api — the /api/v1 reference, rendered from the OpenAPI document the API serves.
export default function ApiDocsPage() {
  return (
    <>
      <PageTitle
        title="API reference"
        lead={
          <>
            Sell, read and spend credits from your own application. Create a key at <a href="/admin/developers">/admin/developers</a>; the OpenAPI 3.1 document
            is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
          </>
        }
      />
      <ApiReference specUrl="/api/v1/openapi.json" scriptUrl="/docs/api/redoc.js" />
    </>
  );
}
