// Shared class lists, so buttons and links look the same wherever they are rendered
// (server or client) without a component per variant.

const base =
  "inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold transition-colors disabled:cursor-not-allowed disabled:opacity-60";

export const buttonPrimary = `${base} bg-brand-700 text-white shadow-sm hover:bg-brand-800`;
export const buttonSecondary = `${base} border border-slate-300 bg-white text-slate-800 shadow-sm hover:bg-slate-50`;
export const buttonQuiet = `${base} text-slate-700 hover:bg-slate-100 hover:text-slate-900`;

export const textLink = "font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900";

export const card = "rounded-2xl border border-slate-200 bg-white shadow-sm";
