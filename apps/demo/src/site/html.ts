/** HTML helpers shared by the demo's pages: escaping, and the one layout every page uses. */

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character]!);
}

/** A whole page: `title` is text (escaped here), `body` is HTML the caller already escaped. */
export function page(title: string, body: string, home = '/'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title === 'tsgi demo' ? title : `${title} · tsgi demo`)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
  nav a { margin-right: 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  td { font-family: ui-monospace, monospace; word-break: break-all; }
  .error { color: #a00; }
  .note { color: #555; font-size: .9em; }
  form label { display: block; margin: .5rem 0; }
  input[type=text], textarea { width: 100%; box-sizing: border-box; }
  img { max-width: 100%; background: #eee; }
</style>
</head>
<body>
<nav><a href="${escapeHTML(home)}">tsgi demo</a></nav>
<h1>${escapeHTML(title)}</h1>
${body}
</body>
</html>
`;
}
