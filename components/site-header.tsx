import Link from "next/link";
import { NavLink } from "./nav-link";
import { SignInLink } from "./sign-in-link";
import { buttonQuiet } from "./ui";

export interface HeaderUser {
  email: string;
  name: string | null;
  role: "buyer" | "admin";
}

export interface HeaderLabels {
  packages: string;
  account: string;
  admin: string;
  signIn: string;
  signOut: string;
  main: string;
}

/**
 * Site header: brand, navigation, and the account control. The layout reads the session and
 * passes the user in (components never touch the database), the sign-out server action and
 * the labels in the visitor's language.
 */
export function SiteHeader({ user, signOutAction, labels }: { user: HeaderUser | null; signOutAction: () => Promise<void>; labels: HeaderLabels }) {
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex min-h-16 max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 rounded-md text-lg font-bold tracking-tight text-slate-900 dark:text-white">
          <BrandMark />
          Satchel
        </Link>
        <nav aria-label={labels.main} className="order-last -mx-2.5 flex w-full items-center gap-1 sm:order-none sm:mx-0 sm:w-auto">
          <NavLink href="/">{labels.packages}</NavLink>
          {user && <NavLink href="/account">{labels.account}</NavLink>}
          {user?.role === "admin" && <NavLink href="/admin">{labels.admin}</NavLink>}
        </nav>
        <div className="ml-auto flex items-center gap-3">
          {user ? (
            <>
              <span className="hidden max-w-48 truncate text-sm text-slate-600 md:inline dark:text-slate-400" title={user.email}>
                {user.name ?? user.email}
              </span>
              <form action={signOutAction}>
                <button type="submit" className={buttonQuiet}>
                  {labels.signOut}
                </button>
              </form>
            </>
          ) : (
            <SignInLink label={labels.signIn} />
          )}
        </div>
      </div>
    </header>
  );
}

function BrandMark() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-7 text-brand-700 dark:text-brand-400" fill="none">
      <rect x="3" y="7" width="18" height="13" rx="3" fill="currentColor" />
      <path d="M8 7V6a4 4 0 0 1 8 0v1" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      <circle cx="12" cy="13.5" r="2" fill="white" />
    </svg>
  );
}
