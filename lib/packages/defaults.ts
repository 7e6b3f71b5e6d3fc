// The packages a fresh database starts with (admins edit them at /admin/packages). Plain data,
// so `npm run db:migrate` can create them without the app's database client.
export const DEFAULT_PACKAGES = [
  { slug: "small", name: "Small", credits: 100, priceMinor: 500, currency: "USD", sortOrder: 1 },
  { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  { slug: "large", name: "Large", credits: 1500, priceMinor: 5000, currency: "USD", sortOrder: 3 },
] as const;
