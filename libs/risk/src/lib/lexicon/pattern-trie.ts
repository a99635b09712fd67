import { AMBIGUOUS_I_OR_L, normalise } from '../text/normalise';
import { isDigit, isLowerLetter } from '../text/word-key';

/**
 * A trie of phrase patterns walked over the letters view of normalised text, from each word
 * start. Patterns are normalised exactly like the text, so "première fois" also matches
 * "PREMIERE FOIS", "premiere-fois" and "premièrefois"; the walk never backtracks further than
 * the few branches a leet "1" (i or l) or an optional separator opens.
 *
 * Pattern syntax: a space, hyphen, apostrophe, underscore or dot is a separator that matches
 * any run of separators in the text (or none); a trailing `*` accepts any further letters;
 * `(…)` marks an optional part, e.g. `hôtesse(s)`.
 */

const CLASS_COUNT = 40;
const NO_NODE = 0;
const ROOT = 1;

/** ASCII class of each code unit: letters, digits and a few symbols used in patterns. */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) ASCII_CLASS[c] = c - 0x60;
for (let c = 0x30; c <= 0x39; c++) ASCII_CLASS[c] = 27 + (c - 0x30);
ASCII_CLASS[0x25] = 37; // %
ASCII_CLASS[0x26] = 38; // &
ASCII_CLASS[0x2b] = 39; // +

/** 1 for the code units words are made of in the letters view. */
const WORD_CODE = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) WORD_CODE[c] = 1;
for (let c = 0x30; c <= 0x39; c++) WORD_CODE[c] = 1;
WORD_CODE[AMBIGUOUS_I_OR_L] = 1;

const CLASS_I = 9;
const CLASS_L = 12;

/** Characters a pattern separator stands for. */
export function isPatternSeparator(code: number): boolean {
  return (
    code === 0x20 || code === 0x2d || code === 0x27 || code === 0x5f || code === 0x2e || code === 0x2f ||
    code === 0x2a || code === 0x7e
  );
}

/** Letters, digits and the ambiguous leet "1": what a word is made of in the letters view. */
export function isWordCode(code: number): boolean {
  return isLowerLetter(code) || isDigit(code) || code === AMBIGUOUS_I_OR_L;
}

/** Expands optional parts: `hôtesse(s)` → `hôtesse`, `hôtesses`. */
export function expandOptionalParts(pattern: string): string[] {
  const open = pattern.indexOf('(');
  const close = open < 0 ? -1 : pattern.indexOf(')', open);
  if (open < 0 || close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const optional = pattern.slice(open + 1, close);
  const tails = expandOptionalParts(pattern.slice(close + 1));
  return tails.flatMap((tail) => [head + tail, head + optional + tail]);
}

interface CompiledPattern {
  readonly id: number;
  readonly stem: boolean;
  /** The pattern ends on a letter or digit, so the text must not continue with one. */
  readonly endsInWord: boolean;
}

/** Found pattern occurrences, in normalised coordinates. Reused across scans. */
export class TrieMatches {
  ids = new Int32Array(64);
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(id: number, start: number, end: number): void {
    if (this.length === this.ids.length) {
      const size = this.length * 2;
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(size);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids);
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.ids[this.length] = id;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }
}

const MAX_BRANCHES = 64;

export class PatternTrie {
  private transitions: Int32Array;
  private separatorChild: Int32Array;
  /** Transitions on code units outside the ASCII classes (emoji, symbols): node * 0x10000 + unit. */
  private readonly wideTransitions = new Map<number, number>();
  /**
   * Per node, 1 + the index of its patterns in {@link terminalLists}, or 0. A typed array: a JS
   * array written at scattered node numbers turns sparse, and sparse lookups are slow.
   */
  private terminalOf: Int32Array;
  private readonly terminalLists: CompiledPattern[][] = [];
  private nodeCount = 2;
  private readonly stackNodes = new Int32Array(MAX_BRANCHES);
  private readonly stackPositions = new Int32Array(MAX_BRANCHES);

  constructor() {
    this.transitions = new Int32Array(256 * CLASS_COUNT);
    this.separatorChild = new Int32Array(256);
    this.terminalOf = new Int32Array(256);
  }

  /** Adds every variant of `pattern`; `id` is reported on each match. */
  add(pattern: string, id: number): void {
    for (const variant of expandOptionalParts(pattern)) this.addVariant(variant, id);
  }

  private addVariant(variant: string, id: number): void {
    const stem = variant.endsWith('*');
    const body = stem ? variant.slice(0, -1) : variant;
    const codes = normalise(body).letterCodes;
    let node = ROOT;
    let last = -1;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (isPatternSeparator(code)) {
        if (i === 0 || isPatternSeparator(codes[i - 1])) continue;
        node = this.separatorChild[node] || this.newSeparatorChild(node);
        continue;
      }
      last = code;
      node = this.child(node, code);
    }
    if (node === ROOT) throw new Error(`empty pattern: ${variant}`);
    if (this.terminalOf[node] === 0) this.terminalOf[node] = this.terminalLists.push([]);
    this.terminalLists[this.terminalOf[node] - 1].push({ id, stem, endsInWord: last >= 0 && isWordCode(last) });
  }

  private newNode(): number {
    const node = this.nodeCount++;
    if (node >= this.separatorChild.length) {
      const grownTransitions = new Int32Array(this.transitions.length * 2);
      grownTransitions.set(this.transitions);
      this.transitions = grownTransitions;
      const grownSeparators = new Int32Array(this.separatorChild.length * 2);
      grownSeparators.set(this.separatorChild);
      this.separatorChild = grownSeparators;
      const grownTerminals = new Int32Array(this.terminalOf.length * 2);
      grownTerminals.set(this.terminalOf);
      this.terminalOf = grownTerminals;
    }
    return node;
  }

  // The node is created before the table is read: creating it may grow (replace) the tables,
  // and a link written into the table read before would be lost with it.
  private newTransition(slot: number): number {
    const node = this.newNode();
    this.transitions[slot] = node;
    return node;
  }

  private newSeparatorChild(parent: number): number {
    const node = this.newNode();
    this.separatorChild[parent] = node;
    return node;
  }

  private child(node: number, code: number): number {
    if (code < 0x80) {
      const cls = ASCII_CLASS[code];
      if (cls === 0) throw new Error(`unsupported pattern character: ${String.fromCharCode(code)}`);
      const slot = node * CLASS_COUNT + cls;
      return this.transitions[slot] || this.newTransition(slot);
    }
    const key = node * 0x10000 + code;
    let next = this.wideTransitions.get(key);
    if (next === undefined) {
      next = this.newNode();
      this.wideTransitions.set(key, next);
    }
    return next;
  }

  /** Appends every occurrence in `letters` to `out`. */
  scan(letters: Uint16Array, out: TrieMatches): void {
    const length = letters.length;
    const rootTransitions = ROOT * CLASS_COUNT;
    const transitions = this.transitions;
    let previousWord = false;
    for (let p = 0; p < length; p++) {
      const code = letters[p];
      if (code < 0x80) {
        const word = WORD_CODE[code] === 1;
        if (!word || previousWord) {
          previousWord = word;
          continue;
        }
        previousWord = true;
        // Most word starts begin no pattern at all: one table read rejects them.
        if (code !== AMBIGUOUS_I_OR_L && transitions[rootTransitions + ASCII_CLASS[code]] === NO_NODE) continue;
      } else {
        previousWord = false;
        if ((code >= 0xdc00 && code <= 0xdfff) || !this.wideTransitions.has(ROOT * 0x10000 + code)) continue;
      }
      this.walk(letters, p, out);
    }
  }

  private walk(letters: Uint16Array, start: number, out: TrieMatches): void {
    const length = letters.length;
    const nodes = this.stackNodes;
    const positions = this.stackPositions;
    const transitions = this.transitions;
    const separatorChild = this.separatorChild;
    const terminalOf = this.terminalOf;
    let top = 0;
    nodes[top] = ROOT;
    positions[top] = start;
    top++;
    while (top > 0) {
      top--;
      let node = nodes[top];
      let pos = positions[top];
      // Follow one path; only separators and a leet "1" open other branches.
      for (;;) {
        if (pos > start) {
          const terminal = terminalOf[node];
          if (terminal !== 0) this.report(this.terminalLists[terminal - 1], letters, start, pos, out);
        }
        if (pos >= length) break;
        const separatorNode = separatorChild[node];
        if (separatorNode !== NO_NODE && top < MAX_BRANCHES - 2) {
          let after = pos;
          while (after < length && isPatternSeparator(letters[after])) after++;
          nodes[top] = separatorNode;
          positions[top] = after;
          top++;
        }
        const code = letters[pos];
        let next: number;
        if (code === AMBIGUOUS_I_OR_L) {
          const viaL = transitions[node * CLASS_COUNT + CLASS_L];
          if (viaL !== NO_NODE && top < MAX_BRANCHES - 2) {
            nodes[top] = viaL;
            positions[top] = pos + 1;
            top++;
          }
          next = transitions[node * CLASS_COUNT + CLASS_I];
        } else if (code < 0x80) {
          const cls = ASCII_CLASS[code];
          next = cls === 0 ? NO_NODE : transitions[node * CLASS_COUNT + cls];
        } else {
          next = this.wideTransitions.get(node * 0x10000 + code) ?? NO_NODE;
        }
        if (next === NO_NODE) break;
        node = next;
        pos++;
      }
    }
  }

  private report(terminal: CompiledPattern[], letters: Uint16Array, start: number, end: number, out: TrieMatches): void {
    const length = letters.length;
    for (const pattern of terminal) {
      let matchEnd = end;
      if (pattern.stem) while (matchEnd < length && (isLowerLetter(letters[matchEnd]) || letters[matchEnd] === AMBIGUOUS_I_OR_L)) matchEnd++;
      if (pattern.endsInWord && matchEnd < length && isWordCode(letters[matchEnd])) continue;
      out.push(pattern.id, start, matchEnd);
    }
  }
}
