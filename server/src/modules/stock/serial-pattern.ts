/**
 * SER-3: an item's serial pattern — a regular expression the whole serial must match — checked
 * for patterns whose matching time can blow up (ReDoS), and run so that none can stall the server.
 *
 * JavaScript's RegExp backtracks: `(a+)+$` against 34 a's and a `!` tries every way of splitting
 * the a's, 2^34 of them, and the event loop stops for everyone. Two layers:
 * - when a pattern is saved, `patternRisk` refuses the shapes that backtrack badly;
 * - when a serial is checked, patterns that `patternRisk` would refuse (saved before the check
 *   existed) run under `node:vm` with a time limit, and a serial that runs out of time does not fit.
 */
import vm from 'node:vm';

/** A serial is at most this many characters (SER-1), so longer repeats gain nothing. */
const LONGEST_SERIAL = 64;
/** Open-ended repeats (*, +, {n,}) allowed in one pattern: each one multiplies the ways to split a serial. */
const MAX_UNBOUNDED = 3;
/** Most times a group may repeat, counting repeats of repeats. */
const MAX_GROUP_REPEAT = LONGEST_SERIAL;
/**
 * Estimated ways of trying one serial (the product of the choices each variable-length part
 * leaves open, summed over alternatives): three open-ended repeats in a row are 64³ ≈ 262,000,
 * well under a millisecond per serial.
 */
const MAX_PATHS = 1_000_000;

const NESTED =
  'This pattern repeats a group that itself repeats or has alternatives, such as (a+)+ or (a|b)*: it could take too long to check. Write it without nested repetition.';
const BACKREFERENCE =
  'This pattern refers back to an earlier group (\\1 or \\k<name>): it could take too long to check. Write the repeated part out instead.';
const TOO_MANY_UNBOUNDED = `This pattern has more than ${MAX_UNBOUNDED} open-ended repeats (*, + or {n,}): it could take too long to check. Give parts a fixed length or a range, such as \\d{6} or [A-Z]{2,4}.`;
const LARGE_REPEAT = `This pattern repeats a group more than ${MAX_GROUP_REPEAT} times (counting repeats inside repeats); a serial is at most ${LONGEST_SERIAL} characters. Use a smaller count.`;
const TOO_MANY_PATHS =
  'This pattern has too many variable-length or optional parts in a row: it could take too long to check. Give more parts a fixed length, such as \\d{6}.';
const LOOKAROUND =
  'This pattern looks ahead or behind ((?=…), (?!…), (?<=…), (?<!…)): it could take too long to check. Describe the serial from left to right instead.';
const UNBALANCED = 'This pattern has a parenthesis or square bracket without its partner.';

/** What a piece of pattern does, as far as backtracking goes. */
interface Shape {
  /** Holds a quantifier that matches a variable number of times (anything but {n}). */
  variable: boolean;
  /** Holds an alternation (|). */
  alternation: boolean;
  /** Estimated ways it can match a given text (see MAX_PATHS). */
  paths: number;
  /** Most times anything inside is repeated by counted group repeats. */
  repeat: number;
}

interface Quantifier {
  min: number;
  max: number; // Infinity when open-ended
}

class RefusedPattern extends Error {}

/**
 * SER-3: why matching this pattern could take too long, in words a merchandiser understands, or
 * null when it is safe to run directly. Expects a pattern that compiles with the `u` flag (the
 * caller checks that first); anything it cannot follow counts as risky.
 */
export function patternRisk(pattern: string): string | null {
  try {
    const parser = new PatternParser(pattern);
    const shape = parser.disjunction();
    if (parser.pos < pattern.length) throw new RefusedPattern(UNBALANCED); // a ')' with no '('
    if (parser.unbounded > MAX_UNBOUNDED) return TOO_MANY_UNBOUNDED;
    if (shape.paths > MAX_PATHS) return TOO_MANY_PATHS;
    return null;
  } catch (e) {
    if (e instanceof RefusedPattern) return e.message;
    throw e;
  }
}

/** A recursive-descent reading of JavaScript regular expression syntax (u mode), just deep enough to judge backtracking. */
class PatternParser {
  pos = 0;
  unbounded = 0;
  constructor(private readonly src: string) {}

  /** alternative ( '|' alternative )* — up to a ')' or the end. */
  disjunction(): Shape {
    const alternatives = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      alternatives.push(this.sequence());
    }
    return {
      variable: alternatives.some((a) => a.variable),
      alternation: alternatives.length > 1 || alternatives.some((a) => a.alternation),
      paths: alternatives.reduce((sum, a) => sum + a.paths, 0),
      repeat: Math.max(...alternatives.map((a) => a.repeat)),
    };
  }

  /** ( atom quantifier? )* */
  private sequence(): Shape {
    const shape: Shape = { variable: false, alternation: false, paths: 1, repeat: 1 };
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      const q = this.quantifier();
      shape.variable ||= atom.variable;
      shape.alternation ||= atom.alternation;
      if (!q) {
        shape.paths *= atom.group ? atom.paths : 1;
        shape.repeat = Math.max(shape.repeat, atom.repeat);
        continue;
      }
      if (q.max === Infinity) this.unbounded++;
      const optional = q.min === 0 && q.max === 1;
      if (atom.group && !optional && (atom.variable || atom.alternation)) throw new RefusedPattern(NESTED);
      if (atom.group && !optional) {
        const repeat = atom.repeat * (q.max === Infinity ? Math.max(q.min, 1) : q.max);
        if (repeat > MAX_GROUP_REPEAT) throw new RefusedPattern(LARGE_REPEAT);
        shape.repeat = Math.max(shape.repeat, repeat);
      } else shape.repeat = Math.max(shape.repeat, atom.repeat);
      shape.variable ||= q.min !== q.max;
      // An optional group is tried with and without its content; any other repeat here has a
      // fixed-length content, so its choices are how many times it repeats.
      shape.paths *=
        optional && atom.group ? 1 + atom.paths : Math.max(1, Math.min(q.max, LONGEST_SERIAL) - Math.min(q.min, LONGEST_SERIAL) + 1);
    }
    return shape;
  }

  /** One thing a quantifier can apply to: a group, a character class, an escape or a character. */
  private atom(): Shape & { group: boolean } {
    const plain = { variable: false, alternation: false, paths: 1, repeat: 1, group: false };
    const c = this.src[this.pos];
    if (c === '(') {
      this.pos++;
      this.groupOpening();
      const inner = this.disjunction();
      if (this.src[this.pos] !== ')') throw new RefusedPattern(UNBALANCED);
      this.pos++;
      return { ...inner, group: true };
    }
    if (c === '[') {
      this.characterClass();
      return plain;
    }
    if (c === '\\') {
      this.escape();
      return plain;
    }
    this.pos++; // any other character, including a '{' that starts no quantifier
    return plain;
  }

  /**
   * Skips what follows '(': ?: ?<name> or modifiers such as ?i: (plain '(' captures). Lookarounds
   * (?= ?! ?<= ?<!) are refused: each one re-reads the serial on every path the rest of the
   * pattern tries, which the path estimate does not count, and a serial's shape needs none.
   */
  private groupOpening() {
    if (this.src[this.pos] !== '?') return;
    const rest = this.src.slice(this.pos);
    if (/^\?(?:=|!|<=|<!)/.test(rest)) throw new RefusedPattern(LOOKAROUND);
    const m = /^\?(?::|<[^>]*>|[a-zA-Z-]*:)/.exec(rest);
    if (!m) throw new RefusedPattern(UNBALANCED);
    this.pos += m[0].length;
  }

  /** '[' … ']': inside, quantifier characters are plain characters; '\]' does not end it. */
  private characterClass() {
    this.pos++; // '['
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === ']') {
        this.pos++;
        return;
      } else this.pos++;
    }
    throw new RefusedPattern(UNBALANCED);
  }

  private escape() {
    const c = this.src[this.pos + 1] ?? '';
    if (/[1-9]/.test(c) || (c === 'k' && this.src[this.pos + 2] === '<')) throw new RefusedPattern(BACKREFERENCE);
    const braced = /^\\(?:[pP]\{[^}]*\}|u\{[0-9a-fA-F]*\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[a-zA-Z])/.exec(this.src.slice(this.pos));
    this.pos += braced ? braced[0].length : 2;
  }

  /** * + ? {n} {n,} {n,m}, each maybe followed by ? (lazy), or null. */
  private quantifier(): Quantifier | null {
    const c = this.src[this.pos];
    let q: Quantifier | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) this.pos++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) return null; // a literal '{'
      this.pos += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    } else return null;
    if (this.src[this.pos] === '?') this.pos++; // lazy: the same choices, tried in another order
    return q;
  }
}

/** How a saved pattern is run: directly when `patternRisk` passes it, else under a time limit. */
interface Matcher {
  re: RegExp;
  guarded: boolean;
  /** Time-outs in the current minute (guarded only). */
  timeouts: number;
  windowStart: number;
  warned: boolean;
}

/** Patterns are few (one per item at most, most items share none); the cap only bounds memory. */
const MAX_CACHED_PATTERNS = 1_000;
/** A pattern run directly that takes longer than this on one serial is guarded from then on. */
const SLOW_DIRECT_MS = 5;
/** Longest a guarded pattern may run on one serial. */
const GUARD_TIMEOUT_MS = 50;
/**
 * After this many time-outs in a minute a guarded pattern answers "does not fit" without running,
 * so a paste of 10,000 bad serials costs 150 ms, not 500 s.
 */
const MAX_TIMEOUTS_PER_MINUTE = 3;

const matchers = new Map<string, Matcher | 'INVALID'>();
const guardContext = vm.createContext({ re: null as RegExp | null, input: '' });
const guardScript = new vm.Script('re.test(input)', { filename: 'serial-pattern-guard.vm' });

/** SER-3: whether a serial fits an item's pattern (the whole serial must match). */
export function matchesPattern(serial: string, pattern: string | null | undefined): boolean {
  if (!pattern) return true;
  const m = matcherFor(pattern);
  if (m === 'INVALID') return true; // patterns are validated when saved; a broken one must not block receiving
  const s = serial.trim();
  if (m.guarded) return guardedTest(m, s, pattern);
  // The analysis bounds a direct run, not tightly: a pattern that once took long runs guarded from then on.
  const started = performance.now();
  const fits = m.re.test(s);
  if (performance.now() - started > SLOW_DIRECT_MS) {
    m.guarded = true;
    console.warn(`SER-3: the item serial pattern ${JSON.stringify(pattern)} took long to check; it runs under a time limit from now on.`);
  }
  return fits;
}

function matcherFor(pattern: string): Matcher | 'INVALID' {
  const cached = matchers.get(pattern);
  if (cached) return cached;
  let m: Matcher | 'INVALID';
  try {
    const re = new RegExp(`^(?:${pattern})$`, 'u');
    m = { re, guarded: patternRisk(pattern) !== null, timeouts: 0, windowStart: 0, warned: false };
  } catch {
    m = 'INVALID';
  }
  if (matchers.size >= MAX_CACHED_PATTERNS) matchers.delete(matchers.keys().next().value!);
  matchers.set(pattern, m);
  return m;
}

function guardedTest(m: Matcher, serial: string, pattern: string): boolean {
  const now = Date.now();
  if (now - m.windowStart > 60_000) {
    m.windowStart = now;
    m.timeouts = 0;
  }
  if (m.timeouts >= MAX_TIMEOUTS_PER_MINUTE) return false;
  guardContext.re = m.re;
  guardContext.input = serial;
  try {
    return guardScript.runInContext(guardContext, { timeout: GUARD_TIMEOUT_MS }) === true;
  } catch (e) {
    // A time-out, or the backtracking stack running out: either way the serial is not shown to fit.
    m.timeouts++;
    if (!m.warned) {
      m.warned = true;
      console.warn(
        `SER-3: the item serial pattern ${JSON.stringify(pattern)} could not be checked within ${GUARD_TIMEOUT_MS} ms (${(e as Error).message}); ` +
          'serials it cannot check are refused as not fitting. Change the pattern on the items that use it.',
      );
    }
    return false;
  } finally {
    guardContext.re = null;
    guardContext.input = '';
  }
}
