/**
 * The console's stylesheet and favicons, served from its own routes so the
 * Content-Security-Policy needs no inline style or data: URL. The banner's
 * colours are a fixed palette per environment colour, with text that meets
 * contrast on each (the name is always written out: colour is never alone).
 */
import type { Colour } from '../environment/index.js';
import { escapeHtml } from './html.js';

export const BANNER_COLOURS: Readonly<Record<Colour, { readonly background: string; readonly text: string }>> = {
  green: { background: '#1b5e20', text: '#ffffff' },
  blue: { background: '#0d47a1', text: '#ffffff' },
  amber: { background: '#ffb300', text: '#1a1a1a' },
  red: { background: '#b71c1c', text: '#ffffff' },
  purple: { background: '#4a148c', text: '#ffffff' },
};

const banners = Object.entries(BANNER_COLOURS)
  .map(([colour, { background, text }]) => `.banner-${colour}{background:${background};color:${text}}`)
  .join('\n');

export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9}
.banner{position:sticky;top:0;z-index:10;display:flex;gap:1rem;align-items:center;padding:.55rem 1.2rem;font-weight:700;letter-spacing:.02em}
.banner .code{border:2px solid currentColor;border-radius:4px;padding:0 .4rem}
.banner .tier{font-weight:400;opacity:.9}
${banners}
header.top{display:flex;align-items:center;gap:1.5rem;padding:.5rem 1.2rem;background:#fff;border-bottom:1px solid #dde1e6}
header.top .brand{font-weight:700}
header.top nav{display:flex;gap:1rem;flex-wrap:wrap}
header.top .who{margin-left:auto;display:flex;gap:.6rem;align-items:center}
nav.env{display:flex;gap:.8rem;flex-wrap:wrap;padding:.4rem 1.2rem;background:#eef1f4;border-bottom:1px solid #dde1e6}
main{padding:1rem 1.2rem;max-width:1200px}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
h2{font-size:1.1rem;margin:1.4rem 0 .6rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #dde1e6;padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}
td.value,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;word-break:break-all}
.muted{color:#5f6b7a}
.shadowed{color:#5f6b7a;text-decoration:line-through}
.ok{color:#1b5e20;font-weight:600}
.bad{color:#b71c1c;font-weight:600}
.warn{color:#8a5a00;font-weight:600}
.flash{padding:.6rem .9rem;border-radius:4px;margin:0 0 1rem}
.flash-ok{background:#e8f5e9;border:1px solid #1b5e20}
.flash-error{background:#ffebee;border:1px solid #b71c1c}
form.inline{display:inline}
form.act{background:#fff;border:1px solid #dde1e6;padding:.8rem;margin:.8rem 0;max-width:640px}
form.act label{display:block;margin:.4rem 0 .15rem;font-weight:600}
input[type=text],input[type=password],input[type=number],select,textarea{width:100%;padding:.35rem;border:1px solid #9aa5b1;border-radius:3px;font:inherit}
button{padding:.35rem .9rem;border:1px solid #33475b;background:#33475b;color:#fff;border-radius:3px;font:inherit;cursor:pointer}
button.danger{background:#b71c1c;border-color:#b71c1c}
button.link{background:none;border:none;color:#0d47a1;padding:0;text-decoration:underline}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}
.card{background:#fff;border:1px solid #dde1e6;border-top-width:6px;padding:.8rem}
.card-green{border-top-color:#1b5e20}.card-blue{border-top-color:#0d47a1}.card-amber{border-top-color:#ffb300}.card-red{border-top-color:#b71c1c}.card-purple{border-top-color:#4a148c}
ul.plain{list-style:none;margin:0;padding:0}
ul.plain li+li{margin-top:.2rem}
tr.differs>th,tr.differs>td{background:#fff8e1}
tr.differs>td:last-child{font-weight:600;color:#8a5a00}
details>summary{cursor:pointer;color:#0d47a1}
.login{max-width:380px;margin:3rem auto;background:#fff;border:1px solid #dde1e6;padding:1.2rem}
a.button{display:inline-block;padding:.35rem .9rem;border:1px solid #33475b;border-radius:3px;color:#33475b;text-decoration:none}
`;

/** A favicon with the environment's colour and code, so a browser tab says which environment it is. */
export function faviconSvg(colour: Colour, code: string): string {
  const { background, text } = BANNER_COLOURS[colour];
  const size = code.length <= 2 ? 30 : code.length === 3 ? 22 : 17;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="10" fill="${background}"/><text x="32" y="41" font-family="sans-serif" font-weight="700" font-size="${size}" text-anchor="middle" fill="${text}">${escapeHtml(code)}</text></svg>`;
}
