import type { Metadata, Viewport } from "next";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { sessionUser, signOut } from "@/lib/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Satchel", template: "%s · Satchel" },
  description: "Buy credits with Bitcoin, M-Pesa, Interledger or NEO Bank.",
};

export const viewport: Viewport = { themeColor: "#0f6b5d" };

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/" });
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await sessionUser();
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2 focus:shadow-lg"
        >
          Skip to content
        </a>
        <SiteHeader user={user && { email: user.email, name: user.name, role: user.role }} signOutAction={signOutAction} />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl flex-1 px-4 py-10 outline-none sm:px-6 sm:py-14">
          {children}
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
