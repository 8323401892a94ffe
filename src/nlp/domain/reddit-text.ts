/**
 * Turns a Reddit body or title into the author's own words, ready for NLP:
 * HTML entities decoded, markdown reduced to plain text, quotes of other
 * people, code and URLs removed. Deleted and removed bodies yield no text (no
 * score), not an empty string that would score as neutral.
 */
export interface PreparedRedditText {
  /** Plain text to analyse; null when there is nothing of the author's to analyse. */
  readonly text: string | null;
  /** True when Reddit replaced the text with a [deleted] or [removed] marker. */
  readonly removed: boolean;
  /** True when the body was longer than `maxChars` and only its start was prepared. */
  readonly truncated: boolean;
}

export interface PrepareRedditTextOptions {
  /**
   * Stop once the plain text passes this many characters, so a 50 KB body
   * costs no more than the part that will be scored. The result is then a
   * little longer than the budget (whole lines), which lets a scorer with the
   * same budget cut at a word and report the truncation itself.
   */
  readonly maxChars?: number;
}

const NOTHING: PreparedRedditText = { text: null, removed: false, truncated: false };
const REMOVED: PreparedRedditText = { text: null, removed: true, truncated: false };

/** "[deleted]", "[removed]", "[ Removed by Reddit ]", "[removed by moderator]". */
const REMOVAL_MARKER = /^\[\s*(?:deleted|removed)(?:\s+by\s+[^\]\n]{1,40})?\s*\]$/i;

export function prepareRedditText(
  raw: string | null | undefined,
  options: PrepareRedditTextOptions = {},
): PreparedRedditText {
  if (raw === null || raw === undefined) return NOTHING;
  const trimmed = raw.trim();
  if (trimmed === '') return NOTHING;
  if (REMOVAL_MARKER.test(trimmed)) return REMOVED;
  const { text, truncated } = markdownToText(raw, options.maxChars ?? Infinity);
  return text === '' ? NOTHING : { text, removed: false, truncated };
}

// ------------------------------------------------------------ HTML entities

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
  hellip: '\u2026',
  mdash: '\u2014',
  ndash: '\u2013',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  laquo: '\u00ab',
  raquo: '\u00bb',
  bull: '\u2022',
  middot: '\u00b7',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  deg: '\u00b0',
  euro: '\u20ac',
  pound: '\u00a3',
  times: '\u00d7',
  divide: '\u00f7',
};

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,15}));/g;

function decodeEntitiesOnce(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY,
    (entity, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined)
        return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? entity;
      const codePoint = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
      const valid =
        codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
      return valid ? String.fromCodePoint(codePoint) : '\ufffd';
    },
  );
}

/**
 * Decodes HTML entities. Two layers at most: Reddit escapes the markdown
 * source for JSON ("&amp;#x200B;"), and the markdown may itself use entities
 * ("&#x200B;", the zero-width space editors insert for blank lines).
 */
export function decodeHtmlEntities(text: string): string {
  const once = decodeEntitiesOnce(text);
  return once === text ? once : decodeEntitiesOnce(once);
}

// ----------------------------------------------------------------- markdown

/** Characters markdown lets the author escape with a backslash. */
const ESCAPED = /\\([\\`*_{}[\]()#+\-.!>~|^&<])/g;
/** Escaped characters are parked in the Private Use Area while markup is removed. */
const PARK_BASE = 0xe000;
const PARKED = /[\ue000-\ue07f]/g;

const FENCE = /^(`{3,}|~{3,})/;
const HORIZONTAL_RULE = /^(?:[-*_][ \t]*){3,}$/;
const SETEXT_UNDERLINE = /^=+[ \t]*$/;
const TABLE_SEPARATOR = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$/;
const REFERENCE_DEFINITION = /^\[[^\]\n]+\]:[ \t]*\S+/;
const HEADER = /^#{1,6}(?:[ \t]+|$)/;
const CLOSING_HASHES = /[ \t]+#+[ \t]*$/;
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])[ \t]+/;

const INLINE_CODE = /``[^\n]*?``|`[^`\n]*`/g;
const LINK = /!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+"[^"\n]*")?\)/g;
const REFERENCE_LINK = /\[([^\]\n]+)\]\[[^\]\n]*\]/g;
const AUTOLINK = /<(?:https?:\/\/|mailto:)[^>\s]*>/gi;
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>]*[^\s<>.,;:!?'")\]]/gi;
const SLASHED_NAME = /(^|[^\w/])\/((?:u|r|user)\/[\w-]+)/g;
const SPOILER = />!([^\n]*?)!</g;
const STRIKE = /~~/g;
const STAR_RUN = /\*+/g;
const UNDERSCORE_RUN = /_+/g;
const SUPERSCRIPT_GROUP = /\^\(([^)\n]*)\)/g;
const SUPERSCRIPT = /\^+(?=[\p{L}\p{N}])/gu;
const TABLE_PIPE = /[ \t]*\|[ \t]*/g;
const INVISIBLE = /[\u200b\u2060\ufeff\u00ad]/g;
const SPACES = /[ \t\u00a0]{2,}|[\t\u00a0]/g;
const SPACING = /[ \t\u00a0]{2}|[\t\u00a0]/;
const INVISIBLE_TEST = /[\u200b\u2060\ufeff\u00ad]/;

/**
 * Reduces Reddit markdown to the author's plain text. Removed: quoted lines
 * ("> …", not the author's sentiment), fenced and indented code, inline code,
 * URLs, reference definitions, rules. Reduced to their text: links, emphasis,
 * strikethrough, superscript, spoilers, headers, list markers, table cells.
 * "u/name" and "r/sub" stay as plain words. A line that is only a
 * [deleted]/[removed] marker (a removed body joined to its title) is dropped.
 */
export function stripRedditMarkdown(markdown: string): string {
  return markdownToText(markdown, Infinity, false).text;
}

/** Line by line, so that work stops once `maxChars` of text are out. */
function markdownToText(
  markdown: string,
  maxChars: number,
  decodeEntities = true,
): { text: string; truncated: boolean } {
  const out: string[] = [];
  let produced = 0;
  let truncated = false;
  let fence: string | null = null;
  let inQuote = false;
  let previousBlank = true;
  let inIndentedCode = false;

  for (const sourceLine of markdown.split(/\r?\n|\r/)) {
    if (produced > maxChars) {
      truncated = true;
      break;
    }
    // Entities never span lines, so each line is decoded only when it is reached.
    let rawLine = decodeEntities ? decodeHtmlEntities(sourceLine) : sourceLine;
    if (rawLine.includes('\\')) rawLine = rawLine.replace(ESCAPED, park);
    if (INVISIBLE_TEST.test(rawLine)) rawLine = rawLine.replace(INVISIBLE, '');
    if (fence !== null) {
      if (rawLine.trimStart().startsWith(fence) && rawLine.trim().replace(/[`~]/g, '') === '')
        fence = null;
      continue;
    }
    const indent = indentation(rawLine);
    const line = rawLine.trim();
    if (line === '') {
      inQuote = false;
      inIndentedCode = false;
      previousBlank = true;
      out.push('');
      continue;
    }
    if (indent >= 4 && (previousBlank || inIndentedCode)) {
      inIndentedCode = true;
      continue;
    }
    inIndentedCode = false;
    const wasBlank = previousBlank;
    previousBlank = false;
    const fenceMatch = indent < 4 ? FENCE.exec(line) : null;
    if (fenceMatch) {
      const marker = fenceMatch[1] ?? '```';
      // "```code```" on one line opens and closes in place.
      if (!line.slice(marker.length).includes(marker)) fence = marker;
      continue;
    }
    // ">!" starts a spoiler, not a quote. A quote continues lazily until a blank line.
    if ((line.startsWith('>') && !line.startsWith('>!')) || (inQuote && !wasBlank)) {
      inQuote = true;
      continue;
    }
    if (isStructuralLine(line)) continue;
    let text = line;
    const first = line.charCodeAt(0);
    if (first === 35 /* # */ && HEADER.test(text)) {
      text = text.replace(HEADER, '').replace(CLOSING_HASHES, '');
    } else if (first === 45 || first === 42 || first === 43 || (first >= 48 && first <= 57)) {
      text = text.replace(LIST_MARKER, '');
    }
    text = stripInline(text);
    out.push(text);
    produced += text.length + 1;
  }

  const text = out
    .join('\n')
    .replace(PARKED, (char) => String.fromCharCode(char.charCodeAt(0) - PARK_BASE))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, truncated };
}

/** Lines that carry no text: rules, underlines, table separators, link definitions, removal markers. */
function isStructuralLine(line: string): boolean {
  switch (line.charCodeAt(0)) {
    case 45: // -
      return HORIZONTAL_RULE.test(line) || TABLE_SEPARATOR.test(line);
    case 42: // *
    case 95: // _
      return HORIZONTAL_RULE.test(line);
    case 61: // =
      return SETEXT_UNDERLINE.test(line);
    case 124: // |
    case 58: // :
      return TABLE_SEPARATOR.test(line);
    case 91: // [
      return REFERENCE_DEFINITION.test(line) || REMOVAL_MARKER.test(line);
    default:
      return false;
  }
}

function park(_escape: string, char: string): string {
  return String.fromCharCode(PARK_BASE + char.charCodeAt(0));
}

/**
 * Emphasis markers touch the text they wrap ("*word*", "__word__"); a marker
 * with space on both sides ("5 * 3") or inside a word ("snake_case") is text.
 */
function stripEmphasisRun(run: string, offset: number, line: string): string {
  const before = offset > 0 ? line.charCodeAt(offset - 1) : 32;
  const after = offset + run.length < line.length ? line.charCodeAt(offset + run.length) : 32;
  if (isBlank(before) && isBlank(after)) return run;
  if (run.charCodeAt(0) === 95 && isWordChar(before) && isWordChar(after)) return run;
  return '';
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 0x7f
  );
}

function stripInline(line: string): string {
  let text = line.includes('`') ? line.replace(INLINE_CODE, ' ') : line;
  if (text.includes('](') || text.includes('][')) {
    text = text.replace(LINK, '$1').replace(REFERENCE_LINK, '$1');
  }
  if (text.includes('<')) text = text.replace(AUTOLINK, ' ');
  if (text.includes('://') || text.includes('www.')) text = text.replace(BARE_URL, ' ');
  if (text.includes('/')) text = text.replace(SLASHED_NAME, '$1$2');
  if (text.includes('>!')) text = text.replace(SPOILER, '$1');
  if (text.includes('~~')) text = text.replace(STRIKE, '');
  if (text.includes('*')) text = text.replace(STAR_RUN, stripEmphasisRun);
  if (text.includes('_')) text = text.replace(UNDERSCORE_RUN, stripEmphasisRun);
  if (text.includes('^')) text = text.replace(SUPERSCRIPT_GROUP, '$1').replace(SUPERSCRIPT, '');
  if (text.includes('|')) text = text.replace(TABLE_PIPE, ' ');
  return text === line && !SPACING.test(text) ? text : text.replace(SPACES, ' ').trim();
}

/** Leading columns, a tab counting to the next multiple of four. */
function indentation(line: string): number {
  let columns = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) columns++;
    else if (c === 9) columns += 4 - (columns % 4);
    else break;
  }
  return columns;
}
