import type { Confidence, IndicatorCode } from '../catalogue';
import type { Ruleset } from '../ruleset';
import { normalise, type NormalisedText } from '../text/normalise';
import type { NegativePattern } from './lexicons';
import { PatternTrie, TrieMatches } from './pattern-trie';

/** What a pattern id stands for once the ruleset's patterns share one trie. */
export type PatternMeaning =
  | { readonly kind: 'indicator'; readonly indicator: IndicatorCode; readonly confidence: Confidence; readonly pattern: string }
  | { readonly kind: 'negative'; readonly negative: NegativePattern }
  | { readonly kind: 'name'; readonly name: string };

export interface ContextRule {
  readonly suppresses: ReadonlySet<IndicatorCode>;
  readonly maxConfidence: Confidence;
}

export interface CompiledLexicon {
  readonly trie: PatternTrie;
  readonly meanings: readonly PatternMeaning[];
  readonly contexts: ReadonlyMap<string, ContextRule>;
}

const compiled = new WeakMap<Ruleset, CompiledLexicon>();

/** One trie for every lexicon entry, negative pattern and persona name; built once per ruleset. */
export function compileLexicon(ruleset: Ruleset): CompiledLexicon {
  const cached = compiled.get(ruleset);
  if (cached !== undefined) return cached;
  const trie = new PatternTrie();
  const meanings: PatternMeaning[] = [];
  // Spellings that normalise alike ("hôtel", "hotel") would report every occurrence twice.
  const seen = new Set<string>();
  const add = (pattern: string, meaning: PatternMeaning): void => {
    const key = `${normalise(pattern).letters}\u0000${meaning.kind === 'indicator' ? meaning.indicator : meaning.kind === 'name' ? 'name' : meaning.negative.context}`;
    if (seen.has(key)) return;
    seen.add(key);
    trie.add(pattern, meanings.length);
    meanings.push(meaning);
  };
  for (const entry of ruleset.lexicon) {
    add(entry.pattern, { kind: 'indicator', indicator: entry.indicator, confidence: entry.confidence, pattern: entry.pattern });
  }
  const contexts = new Map<string, { suppresses: Set<IndicatorCode>; maxConfidence: Confidence }>();
  for (const negative of ruleset.negativePatterns) {
    add(negative.pattern, { kind: 'negative', negative });
    if (negative.scope === 'ad') {
      const rule = contexts.get(negative.context) ?? { suppresses: new Set<IndicatorCode>(), maxConfidence: negative.maxConfidence };
      for (const code of negative.suppresses) rule.suppresses.add(code);
      contexts.set(negative.context, rule);
    }
  }
  for (const name of ruleset.personaNames) add(name, { kind: 'name', name: normalise(name).text });
  const result = { trie, meanings, contexts };
  compiled.set(ruleset, result);
  return result;
}

const scratch = new TrieMatches();

export interface LexiconMatch {
  readonly meaning: PatternMeaning;
  readonly id: number;
  /** Normalised span. */
  readonly start: number;
  readonly end: number;
}

/**
 * Every pattern occurrence in the text into `out` (cleared first), each (pattern, span) once,
 * in the order the trie found them: typed arrays rather than an object per match, for callers
 * that read the matches in place.
 */
export function matchLexiconInto(lexicon: CompiledLexicon, text: NormalisedText, out: TrieMatches): void {
  out.clear();
  lexicon.trie.scan(text.letterCodes, out);
  const { ids, starts, ends } = out;
  let kept = 0;
  for (let k = 0; k < out.length; k++) {
    const id = ids[k];
    const start = starts[k];
    const end = ends[k];
    // A leet "1" read both as "i" and as "l" can reach one pattern twice, always from the
    // same start, so a repeat can only be among the latest matches.
    let repeated = false;
    for (let j = kept - 1; j >= 0 && starts[j] === start; j--) {
      if (ids[j] === id && ends[j] === end) repeated = true;
    }
    if (repeated) continue;
    ids[kept] = id;
    starts[kept] = start;
    ends[kept] = end;
    kept++;
  }
  out.length = kept;
}

/** Every pattern occurrence in the text, each (pattern, span) once. */
export function matchLexicon(lexicon: CompiledLexicon, text: NormalisedText): LexiconMatch[] {
  matchLexiconInto(lexicon, text, scratch);
  const out: LexiconMatch[] = [];
  for (let k = 0; k < scratch.length; k++) {
    const id = scratch.ids[k];
    out.push({ meaning: lexicon.meanings[id], id, start: scratch.starts[k], end: scratch.ends[k] });
  }
  return out;
}
