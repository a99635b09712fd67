/**
 * Canonical text for hashing and matching: Unicode NFKC, invisible and control characters
 * removed, HTML stripped, whitespace folded. The original is always kept beside it as
 * evidence; this form only decides "same content or not" and feeds the scorers.
 */

// Zero-width and formatting characters used to break up words and phone numbers.
const invisible = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
// C0 and C1 controls (tabs and line breaks become spaces first): matching them is the point.
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const lineBreaksAndTabs = /[\t\r\n\u2028\u2029\u0085]/g;
const scriptOrStyle = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const tags = /<\/?[a-z][^<>]*>|<!--[\s\S]*?-->/gi;
const namedEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
  euro: '€',
};
const entity = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi;
const whitespaceRun = /\s+/g;

function decodeEntity(match: string, body: string): string {
  if (body[0] === '#') {
    const codePoint = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff)
      ? String.fromCodePoint(codePoint)
      : match;
  }
  return namedEntities[body.toLowerCase()] ?? match;
}

// Printable ASCII and the Latin-1 letters (U+00C0-U+00FF) without `<` and `&`: NFKC leaves
// every one of them unchanged (a spec checks it character by character), and none of them is
// markup, an entity, invisible, a control or whitespace other than the plain space. Most ad text
// (French, English) is only this, so it skips NFKC and the five other passes.
const alreadyCanonicalCharacters = /^[\x20-\x25\x27-\x3b\x3d-\x7e\u00c0-\u00ff]*$/;
const spaceRunOrEdge = /^ | $| {2}/;

export function normaliseText(text: string): string {
  if (alreadyCanonicalCharacters.test(text)) return spaceRunOrEdge.test(text) ? text.replace(whitespaceRun, ' ').trim() : text;
  const withoutMarkup = text.includes('<') ? text.replace(scriptOrStyle, ' ').replace(tags, ' ') : text;
  const decoded = withoutMarkup.includes('&') ? withoutMarkup.replace(entity, decodeEntity) : withoutMarkup;
  return (
    decoded
      .replace(lineBreaksAndTabs, ' ')
      .replace(invisible, '')
      .replace(controls, '')
      // NFKC after the removals, not before: dropping an invisible character or a control can
      // bring a letter and its combining accent together ("e\u200b\u0301"), and NFKC must then
      // compose them, or the output is not NFKC and hashes unlike the same text typed plainly.
      // No compatibility decomposition yields a removed character (a property spec checks every
      // code point), so nothing needs removing afterwards.
      .normalize('NFKC')
      .replace(whitespaceRun, ' ')
      .trim()
  );
}
