/** The page's one h1, with an optional lead paragraph. */
export function PageTitle({ title, lead }: { title: string; lead?: React.ReactNode }) {
  return (
    <div className="mb-8">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{title}</h1>
      {lead && <p className="mt-2 max-w-2xl text-base text-slate-600 dark:text-slate-300">{lead}</p>}
    </div>
  );
}
