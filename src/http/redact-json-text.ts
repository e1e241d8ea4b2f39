/**
 * The requests log's fast path for a body that is already JSON text (the response as sent, or a
 * request body after one JSON.stringify): the same result as
 * `JSON.stringify(redactJson(JSON.parse(text), known))` without building the value twice. One pass
 * over the text checks that it is JSON exactly as JSON.stringify writes it, censors the values of
 * secret fields, and looks for tokens (redaction.ts's findSecrets) inside string values only,
 * where the parse-walk-stringify path looks.
 *
 * It answers `undefined` (the caller takes the slow path) for any text it cannot vouch for: not
 * JSON, or JSON that JSON.parse + JSON.stringify would rewrite — whitespace between tokens, an
 * escape (`\"`, `\u0041`: the string's value differs from its text), a character JSON.stringify
 * escapes or a surrogate, a number other than a plain integer of up to 15 digits (`1.50`, `1e3`,
 * `-0` are rewritten), nesting deeper than `nestingMax`. Two differences remain, both in what is
 * kept, never in what is censored: a key written twice stays twice (JSON.parse keeps the last), and
 * a `__proto__` field stays (the walk drops it).
 */
import { applyEdits, censored, findSecrets, longRandomCharsMin, redactText, secretFieldNames, secretHints, type TextEdit } from './redaction.js';

const nestingMax = 64;
const notVerbatim = /[\u0000-\u001f\\\ud800-\udfff]/;
/** Strings this short, without `=`, hold no token (redaction.ts: redactText skips them too). */
const shortestSecretChars = 13;
const quotedCensored = JSON.stringify(censored);
const secretFields = new Set<string>(secretFieldNames);
/** Length, first and last character (lower case) of each secret field name: most keys are ruled out on these. */
const secretFieldShapes = new Set(secretFieldNames.map((n) => shapeOf(n.length, n.charCodeAt(0), n.charCodeAt(n.length - 1))));

function shapeOf(length: number, first: number, last: number): number {
  return length * 65536 + (first | 0x20) * 256 + (last | 0x20);
}

/** redaction.ts's hints, searched forwards through the whole text (a few times cheaper than looking at each character in JavaScript). */
const hints = secretHints.map((re) => new RegExp(re.source, 'g'));
const upperCase = /[A-Z]/g;

/** `text` redacted as the slow path would, or undefined when only the slow path may judge it. */
export function redactJsonText(text: string, known: readonly string[] = [], options: { stringified?: boolean } = {}): string | undefined {
  // Escapes, control characters (JSON.stringify escapes them; JSON.parse refuses them raw) and
  // surrogates (a lone one is escaped by JSON.stringify): the slow path judges those.
  if (notVerbatim.test(text)) return undefined;
  const scan = new Scan(text, known.length === 0 ? known : known.filter((k) => k.length >= 4 && text.includes(k)), options.stringified === true);
  const end = scan.value(0, 0, true);
  if (end !== text.length) return undefined;
  return applyEdits(text, scan.edits);
}

/** Character codes. */
const Code = { quote: 34, comma: 44, minus: 45, zero: 48, nine: 57, colon: 58, openBracket: 91, backslash: 92, closeBracket: 93, openBrace: 123, closeBrace: 125 } as const;

class Scan {
  readonly edits: TextEdit[] = [];
  /** For each of `hints`, then `upperCase`: where its next match at or after the last string looked at starts. */
  private readonly nextHint = [-1, -1, -1, -1];

  constructor(
    private readonly text: string,
    /** The caller's secrets that occur somewhere in the text (usually none). */
    private readonly known: readonly string[],
    /** The text is JSON.stringify's own output: its numbers are as the slow path writes them. */
    private readonly stringified: boolean,
  ) {}

  /**
   * Checks the value at `i` and returns where it ends (-1: not canonical JSON). `redact` false
   * inside a censored field: it is checked, not searched.
   */
  value(i: number, depth: number, redact: boolean): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === Code.quote) {
      const end = this.stringEnd(i + 1);
      if (end >= 0 && redact) this.redactString(i + 1, end);
      return end < 0 ? -1 : end + 1;
    }
    if (c === Code.openBrace) return depth >= nestingMax ? -1 : this.object(i + 1, depth + 1, redact);
    if (c === Code.openBracket) return depth >= nestingMax ? -1 : this.array(i + 1, depth + 1, redact);
    if (c === Code.minus || (c >= Code.zero && c <= Code.nine)) return this.integerEnd(i);
    if (text.startsWith('true', i)) return i + 4;
    if (text.startsWith('false', i)) return i + 5;
    if (text.startsWith('null', i)) return i + 4;
    return -1;
  }

  private object(i: number, depth: number, redact: boolean): number {
    const text = this.text;
    if (text.charCodeAt(i) === Code.closeBrace) return i + 1;
    for (;;) {
      if (text.charCodeAt(i) !== Code.quote) return -1;
      const keyEnd = this.stringEnd(i + 1);
      if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== Code.colon) return -1;
      const start = keyEnd + 2;
      const secret = redact && this.isSecretField(i + 1, keyEnd);
      const end = this.value(start, depth, redact && !secret);
      if (end < 0) return -1;
      // A secret field's value goes whatever it is (an object, a number), except null.
      if (secret && !text.startsWith('null', start)) this.edits.push({ start, end, replacement: quotedCensored });
      const next = text.charCodeAt(end);
      if (next === Code.closeBrace) return end + 1;
      if (next !== Code.comma) return -1;
      i = end + 1;
    }
  }

  private array(i: number, depth: number, redact: boolean): number {
    const text = this.text;
    if (text.charCodeAt(i) === Code.closeBracket) return i + 1;
    for (;;) {
      const end = this.value(i, depth, redact);
      if (end < 0) return -1;
      const next = text.charCodeAt(end);
      if (next === Code.closeBracket) return end + 1;
      if (next !== Code.comma) return -1;
      i = end + 1;
    }
  }

  /** The closing quote of a string whose text starts at `i` (-1: none). No escapes: redactJsonText checked. */
  private stringEnd(i: number): number {
    return this.text.indexOf('"', i);
  }

  /** Integers JSON.stringify writes as written: up to 15 digits, no leading zero, not `-0`. */
  private integerEnd(i: number): number {
    const text = this.text;
    if (this.stringified) {
      let j = i + 1;
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
      return j;
    }
    const start = text.charCodeAt(i) === Code.minus ? i + 1 : i;
    let j = start;
    while (j < text.length && text.charCodeAt(j) >= Code.zero && text.charCodeAt(j) <= Code.nine) j++;
    const digits = j - start;
    if (digits === 0 || digits > 15) return -1;
    if (text.charCodeAt(start) === Code.zero && (digits > 1 || start > i)) return -1;
    const next = text.charCodeAt(j);
    // A fraction or an exponent follows: JSON.stringify may write that number differently.
    if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) return -1;
    return j;
  }

  private isSecretField(start: number, end: number): boolean {
    const text = this.text;
    const first = text.charCodeAt(start);
    const last = text.charCodeAt(end - 1);
    // Outside ASCII, toLowerCase may still make a secret name (the Kelvin sign becomes `k`).
    if (first < 128 && last < 128 && !secretFieldShapes.has(shapeOf(end - start, first, last))) return false;
    return secretFields.has(text.slice(start, end).toLowerCase());
  }

  /** Whether the expression `which` (hints, then upperCase) matches inside `[start, end)`. */
  private hinted(which: number, start: number, end: number): boolean {
    let at = this.nextHint[which]!;
    if (at < start && at !== Infinity) {
      const re = which < hints.length ? hints[which]! : upperCase;
      re.lastIndex = start;
      const m = re.exec(this.text);
      this.nextHint[which] = at = m ? m.index : Infinity;
    }
    return at < end;
  }

  /** The string value whose text is `[start, end)`: its tokens, and any of the caller's secrets. */
  private redactString(start: number, end: number): void {
    const text = this.text;
    if (this.known.length > 0) {
      const value = text.slice(start, end);
      if (this.known.some((k) => value.includes(k))) {
        // Rare (the caller's password in a body): the string on its own, as the slow path does it.
        const redacted = redactText(value, this.known);
        if (redacted !== value) this.edits.push({ start, end, replacement: redacted });
        return;
      }
    }
    const hinted =
      this.hinted(0, start, end) || this.hinted(1, start, end) || this.hinted(2, start, end) || (end - start >= longRandomCharsMin && this.hinted(3, start, end));
    if (!hinted) return;
    if (end - start < shortestSecretChars && !hasEquals(text, start, end)) return;
    findSecrets(text, start, end, this.edits);
  }
}

/** Digits, sign, point and exponent: what JSON.stringify writes a number with. */
function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

function hasEquals(text: string, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (text.charCodeAt(j) === 61) return true;
  return false;
}
