// Escaping for the two contexts the offline dashboard writes data into: HTML text/attributes and inline <script>.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * JSON that is safe inside a <script> element: `<`, `>` and `&` become \u escapes, so no `</script>` or `<!--`
 * can end or alter the element, and U+2028/U+2029 are escaped for older JavaScript parsers. JSON.parse and
 * JavaScript both read the escapes back as the original characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
