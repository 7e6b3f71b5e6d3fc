import Link from "next/link";
import { buttonPrimary } from "@/components/ui";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md py-10 text-center">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">Page not found</h1>
      <p className="mt-3 text-slate-600">The page you asked for does not exist, or you do not have access to it.</p>
      <Link href="/" className={`${buttonPrimary} mt-8`}>
        Back to packages
      </Link>
    </div>
  );
}
