import { activePackages } from "@/lib/packages/packages";

export const dynamic = "force-dynamic";

export default async function Home() {
  const packages = await activePackages();
  return (
    <main>
      {packages.map((p) => (
        <p key={p.id}>{p.name}</p>
      ))}
    </main>
  );
}
