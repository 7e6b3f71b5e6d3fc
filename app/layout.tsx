import type { Metadata, Viewport } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { FocusMain } from "@/components/focus-main";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { sessionUser, signOut } from "@/lib/auth";
import { LOCALE_NAMES, LOCALES } from "@/lib/i18n/config";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  return { title: { default: "Satchel", template: "%s · Satchel" }, description: t("description") };
}

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#0f6b5d" },
    { media: "(prefers-color-scheme: dark)", color: "#0b1220" },
  ],
};

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/" });
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [user, locale, t] = await Promise.all([sessionUser(), getLocale(), getTranslations("common")]);
  return (
    <html lang={locale}>
      <body className="flex min-h-dvh flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2 focus:text-slate-900 focus:shadow-lg"
        >
          {t("skip")}
        </a>
        <SiteHeader
          user={user && { email: user.email, name: user.name, role: user.role }}
          signOutAction={signOutAction}
          labels={{
            packages: t("nav.packages"),
            account: t("nav.account"),
            admin: t("nav.admin"),
            signIn: t("signIn"),
            signOut: t("signOut"),
            main: t("nav.main"),
          }}
        />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 outline-none sm:px-6 sm:py-14">
          <FocusMain />
          {children}
        </main>
        <SiteFooter
          tagline={t("footer.tagline")}
          rails={t("footer.rails")}
          language={t("language")}
          locale={locale}
          locales={LOCALES.map((l) => ({ code: l, name: LOCALE_NAMES[l] }))}
          switchLabel={t("switch")}
        />
      </body>
    </html>
  );
}
