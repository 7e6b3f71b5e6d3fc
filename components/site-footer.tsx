export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-col gap-2 px-4 py-6 text-sm text-slate-600 sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <p>Satchel · self-hosted credits checkout</p>
        <p>Pay with Bitcoin, M-Pesa, Interledger or NEO Bank.</p>
      </div>
    </footer>
  );
}
