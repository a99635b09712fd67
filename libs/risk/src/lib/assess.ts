import { extractAges, type AgeBasis } from './age';
import {
  INDICATOR_CODES,
  RISK_BANDS,
  type Confidence,
  type IndicatorCode,
  type IndicatorDefinition,
  type IndicatorTier,
  type RiskBand,
} from './catalogue';
import { extractContacts, phoneRegionOf, type ContactKind, type ContactMatch, type ObfuscationMethod } from './contacts';
import { compileLexicon, matchLexiconInto, type CompiledLexicon, type PatternMeaning } from './lexicon/compiled-lexicon';
import { TrieMatches } from './lexicon/pattern-trie';
import { BAND_ORDER, DEFAULT_RULESET, type Ruleset } from './ruleset';
import { NormalisedText, normaliseInto } from './text/normalise';

/** The parts of an ad the engine reads; field names follow the `ad` contract. */
export interface AdText {
  readonly title: string;
  readonly body: string;
  /** ISO 3166-1 alpha-2 (`location.country`): default region for phone numbers. */
  readonly country?: string;
  readonly city?: string;
  /** ISO 639-1, informative: both lexicons always apply, ads mix languages. */
  readonly language?: string;
  /** Perceptual hashes computed by the platform (Vigie never sees images). */
  readonly images?: readonly AdImage[];
}

export interface AdImage {
  /** PDQ hash, 64 hex digits. */
  readonly pdq: string;
  /** PDQ quality, 0 to 100. */
  readonly quality: number;
}

export type AdField = 'title' | 'body';

/** Offsets are UTF-16 code units into the original field; `text` is exactly that slice. */
export interface EvidenceSpan {
  readonly field: AdField;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** One contact seen by the platform's scoring service across ads. */
export interface ContactReuseEvidence {
  readonly kind: 'contact-reuse';
  readonly contact: string;
  readonly distinctNames: number;
  readonly distinctCities: number;
  readonly adCount: number;
  readonly windowDays: number;
}

export interface TemplateClusterEvidence {
  readonly kind: 'template-cluster';
  readonly clusterId: string;
  readonly clusterSize: number;
  readonly distinctContacts: number;
  /** Best estimated Jaccard similarity to another ad of the cluster. */
  readonly similarity: number;
}

export interface KnownImageHashEvidence {
  readonly kind: 'known-image-hash';
  /** Index in the ad's `images`. */
  readonly imageIndex: number;
  readonly listId: string;
  readonly distance: number;
}

export type NetworkEvidence = ContactReuseEvidence | TemplateClusterEvidence | KnownImageHashEvidence;

export interface AssessmentContext {
  /** "Now" for ages computed from a birth year; never the clock, so replays agree. */
  readonly referenceDate: Date | string;
  /** Network signals the scoring service holds for this ad. */
  readonly network?: readonly NetworkEvidence[];
  readonly ruleset?: Ruleset;
}

export interface AssessedIndicator {
  readonly code: IndicatorCode;
  readonly tier: IndicatorTier;
  /** Best lexicon confidence among the matches. */
  readonly confidence: Confidence;
  /** Contribution to the score: catalogue weight times the combined confidence. */
  readonly weight: number;
  readonly spans: readonly EvidenceSpan[];
  readonly detail: string;
  readonly caution?: string;
}

export interface ExtractedContact {
  readonly kind: ContactKind;
  readonly value: string;
  readonly channel?: string;
  readonly obscured: boolean;
  readonly obfuscation: readonly ObfuscationMethod[];
  readonly spans: readonly EvidenceSpan[];
}

export interface AgeStatementFound {
  readonly value: number;
  readonly max: number;
  readonly basis: AgeBasis;
  readonly span: EvidenceSpan;
}

export interface AgeFinding {
  /** Youngest stated age. */
  readonly value: number;
  readonly statements: readonly AgeStatementFound[];
}

/** A match a negative pattern, a context or a rule set aside, kept for the explanation. */
export interface Suppression {
  readonly code: IndicatorCode;
  readonly reason: string;
  readonly span?: EvidenceSpan;
}

export interface RiskAssessment {
  readonly score: number;
  readonly band: RiskBand;
  readonly indicators: readonly AssessedIndicator[];
  readonly contacts: readonly ExtractedContact[];
  readonly age: AgeFinding | null;
  /** Persona first names, normalised, for the contact graph. */
  readonly names: readonly string[];
  readonly suppressed: readonly Suppression[];
  readonly capApplied: string | null;
  readonly explanation: string;
  readonly rulesetVersion: string;
  readonly art18Referral: boolean;
}

const MAX_SPANS = 20;
const CONFIDENCE_ORDER: Readonly<Record<Confidence, number>> = { weak: 0, medium: 1, strong: 2 };
/** Adult-service cues that keep a stated minor flagged even in a tutoring or job ad. */
const ADULT_SERVICE: ReadonlySet<IndicatorCode> = new Set([
  'euphemisms', 'incall-hotel', 'pricing-codes', 'trust-claims', 'third-party-control', 'obscured-contact',
]);
/** Contexts in which a minor's age is the ad's ordinary subject (a pupil, a babysitting job). */
const INNOCENT_AGE_CONTEXTS: ReadonlySet<string> = new Set(['childcare-education', 'job-offer', 'housing', 'business']);

interface FieldText {
  readonly field: AdField;
  readonly text: NormalisedText;
  /** Lexicon matches in normalised offsets; meanings are the lexicon's, by id. */
  readonly matches: TrieMatches;
}

/**
 * One piece of evidence for an indicator. Its span is kept as offsets into the original field
 * and cut out only if the indicator's spans are read (see {@link Indicator}).
 */
interface Evidence {
  readonly code: IndicatorCode;
  readonly confidence: Confidence;
  /** Distinct entries combine by noisy-OR; repeats of one entry count once. */
  readonly key: string;
  /** Field of the span, or undefined for evidence without one (network evidence). */
  readonly field: AdField | undefined;
  /** Original offsets of the span in its field. */
  readonly start: number;
  readonly end: number;
  readonly note: string | undefined;
}

/** The original title and body, which evidence spans are cut from. */
interface AdSource {
  readonly title: string;
  readonly body: string;
}

function spanOf(field: FieldText, start: number, end: number): EvidenceSpan {
  const originalStart = field.text.originalStart(start);
  const originalEnd = field.text.originalEnd(end);
  return { field: field.field, start: originalStart, end: originalEnd, text: field.text.original.slice(originalStart, originalEnd) };
}

function evidenceAt(code: IndicatorCode, confidence: Confidence, key: string, span: EvidenceSpan | undefined, note: string | undefined): Evidence {
  return span === undefined
    ? { code, confidence, key, field: undefined, start: 0, end: 0, note }
    : { code, confidence, key, field: span.field, start: span.start, end: span.end, note };
}

/** Index of the first overlap negative among `matches` that covers match `k` and suppresses `code`, or -1. */
function cancellingNegative(meanings: readonly PatternMeaning[], matches: TrieMatches, k: number, code: IndicatorCode): number {
  const start = matches.starts[k];
  const end = matches.ends[k];
  for (let n = 0; n < matches.length; n++) {
    const meaning = meanings[matches.ids[n]];
    if (
      meaning.kind === 'negative' && meaning.negative.scope === 'overlap' && meaning.negative.suppresses.includes(code) &&
      matches.starts[n] < end && start < matches.ends[n]
    ) {
      return n;
    }
  }
  return -1;
}

let lastReferenceText: string | undefined;
let lastReference: Date | undefined;

function toReferenceDate(value: Date | string): Date {
  // Streams score many ads against one reference date: parse a repeated string once.
  if (typeof value === 'string' && value === lastReferenceText && lastReference !== undefined) return lastReference;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new RangeError(`invalid referenceDate: ${String(value)}`);
  if (typeof value === 'string') {
    lastReferenceText = value;
    lastReference = date;
  }
  return date;
}

function round(value: number, digits = 4): number {
  // The usual four digits without a call to Math.pow.
  const factor = digits === 4 ? 10_000 : 10 ** digits;
  return Math.round(value * factor) / factor;
}

const MAX_QUOTE = 60;

function quote(text: string): string {
  const cut = text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 3)}...` : text;
  // Line breaks and other control characters would break the one-line-per-indicator layout.
  let flat = '';
  let start = 0;
  for (let i = 0; i < cut.length; i++) {
    if (cut.charCodeAt(i) < 0x20) {
      flat += `${cut.slice(start, i)} `;
      start = i + 1;
    }
  }
  return `"${start === 0 ? cut : flat + cut.slice(start)}"`;
}

/** Position of each indicator in {@link INDICATOR_CODES}, the order indicators are reported in. */
const INDICATOR_INDEX: ReadonlyMap<IndicatorCode, number> = new Map(INDICATOR_CODES.map((code, index) => [code, index]));

const NO_CONTEXTS: ReadonlyMap<string, EvidenceSpan> = new Map();

/** Beyond this many distinct names, repeats are found through a Set rather than a linear search. */
const LINEAR_NAME_LIMIT = 8;

/** Where a persona name first appeared, in original offsets. */
interface NameSeen {
  readonly field: AdField;
  readonly start: number;
  readonly end: number;
}

function spanIn(source: AdSource, field: AdField, start: number, end: number): EvidenceSpan {
  return { field, start, end, text: (field === 'title' ? source.title : source.body).slice(start, end) };
}

/**
 * What an ad's evidence adds up to while it is assessed. Most ads have no context, a name or
 * two and a handful of indicators, so the context map is created on first use, names are
 * searched in a list and evidence is kept by indicator position rather than in a map.
 */
class AssessmentBuilder {
  /**
   * Evidence per indicator, by position in {@link INDICATOR_CODES}. Sized once: filled at
   * scattered positions, an empty array would grow several times.
   */
  readonly evidence: (Evidence[] | undefined)[] = new Array<Evidence[] | undefined>(INDICATOR_CODES.length);
  readonly suppressed: Suppression[] = [];
  /** Contexts present anywhere in the ad, with the span that showed each. */
  contexts: ReadonlyMap<string, EvidenceSpan> = NO_CONTEXTS;
  /** Whether an adult-service indicator was matched (kept or set aside). */
  adultServiceSeen = false;
  /** Persona names in order of appearance. */
  readonly names: string[] = [];
  /** Where each of {@link names} first appeared. */
  readonly namesSeen: NameSeen[] = [];
  /** The names as a set, once there are too many for a linear search. */
  #nameSet: Set<string> | undefined;

  constructor(
    readonly ruleset: Ruleset,
    readonly lexicon: CompiledLexicon,
    readonly source: AdSource,
  ) {}

  add(evidence: Evidence): void {
    const index = INDICATOR_INDEX.get(evidence.code) as number;
    const list = this.evidence[index];
    if (list === undefined) this.evidence[index] = [evidence];
    else list.push(evidence);
  }

  has(code: IndicatorCode): boolean {
    return this.evidence[INDICATOR_INDEX.get(code) as number] !== undefined;
  }

  collectContexts(fields: readonly FieldText[]): void {
    let contexts: Map<string, EvidenceSpan> | undefined;
    const meanings = this.lexicon.meanings;
    for (const field of fields) {
      const matches = field.matches;
      for (let k = 0; k < matches.length; k++) {
        const meaning = meanings[matches.ids[k]];
        if (meaning.kind !== 'negative' || meaning.negative.scope !== 'ad') continue;
        contexts ??= new Map<string, EvidenceSpan>();
        if (!contexts.has(meaning.negative.context)) contexts.set(meaning.negative.context, spanOf(field, matches.starts[k], matches.ends[k]));
      }
    }
    if (contexts !== undefined) this.contexts = contexts;
  }

  /** The context that cancels a match of this indicator and confidence, if any. */
  contextSuppressing(code: IndicatorCode, confidence: Confidence): string | undefined {
    // Most ads show no context: skip the iterator.
    if (this.contexts.size === 0) return undefined;
    for (const name of this.contexts.keys()) {
      const rule = this.lexicon.contexts.get(name);
      if (rule !== undefined && rule.suppresses.has(code) && CONFIDENCE_ORDER[confidence] <= CONFIDENCE_ORDER[rule.maxConfidence]) {
        return name;
      }
    }
    return undefined;
  }

  addLexiconEvidence(field: FieldText): void {
    const matches = field.matches;
    const meanings = this.lexicon.meanings;
    // Overlap negatives are rare: look for the cancelling one only in a field that has some.
    let hasOverlapNegative = false;
    for (let k = 0; k < matches.length; k++) {
      const meaning = meanings[matches.ids[k]];
      if (meaning.kind === 'negative' && meaning.negative.scope === 'overlap') {
        hasOverlapNegative = true;
        break;
      }
    }
    for (let k = 0; k < matches.length; k++) {
      const meaning = meanings[matches.ids[k]];
      const start = matches.starts[k];
      const end = matches.ends[k];
      if (meaning.kind === 'name') {
        // Only the first span of a name is ever shown (see addSeveralNames).
        if (!this.hasName(meaning.name)) this.addName(meaning.name, { field: field.field, start: field.text.originalStart(start), end: field.text.originalEnd(end) });
        continue;
      }
      if (meaning.kind !== 'indicator') continue;
      if (ADULT_SERVICE.has(meaning.indicator)) this.adultServiceSeen = true;
      const cancelling = hasOverlapNegative ? cancellingNegative(meanings, matches, k, meaning.indicator) : -1;
      if (cancelling >= 0) {
        const by = spanOf(field, matches.starts[cancelling], matches.ends[cancelling]);
        this.suppressed.push({ code: meaning.indicator, span: spanOf(field, start, end), reason: `part of the ordinary phrase ${quote(by.text)}` });
        continue;
      }
      const context = this.contextSuppressing(meaning.indicator, meaning.confidence);
      if (context !== undefined) {
        const reason = `${context} context (${quote(this.contexts.get(context)?.text ?? '')})`;
        this.suppressed.push({ code: meaning.indicator, span: spanOf(field, start, end), reason });
        continue;
      }
      this.add({
        code: meaning.indicator,
        confidence: meaning.confidence,
        key: meaning.pattern,
        field: field.field,
        start: field.text.originalStart(start),
        end: field.text.originalEnd(end),
        note: undefined,
      });
    }
  }

  /** Whether a name was seen: an ad names a person or two, so a Map per ad would cost more than the search. */
  hasName(name: string): boolean {
    return this.#nameSet !== undefined ? this.#nameSet.has(name) : this.names.includes(name);
  }

  addName(name: string, seen: NameSeen): void {
    this.names.push(name);
    this.namesSeen.push(seen);
    if (this.#nameSet !== undefined) this.#nameSet.add(name);
    else if (this.names.length > LINEAR_NAME_LIMIT) this.#nameSet = new Set(this.names);
  }

  addSeveralNames(): void {
    const count = this.names.length;
    const { medium, strong } = this.ruleset.severalNames;
    if (count < medium) return;
    const confidence: Confidence = count >= strong ? 'strong' : 'medium';
    const context = this.contextSuppressing('third-party-control', confidence);
    if (context !== undefined) {
      const first = this.namesSeen[0];
      this.suppressed.push({ code: 'third-party-control', span: spanIn(this.source, first.field, first.start, first.end), reason: `${count} names in a ${context} context` });
      return;
    }
    const note = `${count} different names`;
    for (const seen of this.namesSeen) {
      this.add({ code: 'third-party-control', confidence, key: 'several-names', field: seen.field, start: seen.start, end: seen.end, note });
    }
  }
}

/** Scratch for {@link combinedConfidence}: distinct keys in order of first appearance, with their best confidence. */
const distinctKeys: string[] = [];
const keyConfidences: Confidence[] = [];

/**
 * Noisy-OR of the evidence's confidences, repeats of one key counting once at their best.
 * Keys are few per indicator, so a linear search beats a Map; the product runs in order of
 * first appearance, as it did over a Map, so the rounding is the same.
 */
function combinedConfidence(ruleset: Ruleset, items: readonly Evidence[]): number {
  let count = 0;
  for (const item of items) {
    let k = 0;
    while (k < count && distinctKeys[k] !== item.key) k++;
    if (k === count) {
      distinctKeys[count] = item.key;
      keyConfidences[count] = item.confidence;
      count++;
    } else if (CONFIDENCE_ORDER[item.confidence] > CONFIDENCE_ORDER[keyConfidences[k]]) {
      keyConfidences[k] = item.confidence;
    }
  }
  let miss = 1;
  for (let k = 0; k < count; k++) miss *= 1 - ruleset.confidenceFactors[keyConfidences[k]];
  return 1 - miss;
}

function bestConfidence(items: readonly Evidence[]): Confidence {
  let best: Confidence = 'weak';
  for (const item of items) if (CONFIDENCE_ORDER[item.confidence] > CONFIDENCE_ORDER[best]) best = item.confidence;
  return best;
}

/** Order of spans: title first, then by start, longer first. Evidence without a span is never compared. */
function compareSpans(a: Evidence, b: Evidence): number {
  return a.field === b.field ? a.start - b.start || b.end - a.end : a.field === 'title' ? -1 : 1;
}

/** Longest span list sorted by {@link insertionSort}; quadratic beyond a few dozen. */
const MAX_INSERTION_SORT = 32;

/**
 * Stable sort by {@link compareSpans}, in place. An indicator has a few spans, nearly in order:
 * insertion sort does no more than a few comparisons there, where Array#sort calls back into
 * the comparator through its generic machinery. Both are stable, so the order is the same.
 */
function insertionSort(spans: Evidence[]): void {
  for (let i = 1; i < spans.length; i++) {
    const span = spans[i];
    let j = i - 1;
    while (j >= 0 && compareSpans(spans[j], span) > 0) {
      spans[j + 1] = spans[j];
      j--;
    }
    spans[j + 1] = span;
  }
}

/**
 * The evidence's spans in order, each once, none inside the one before, at most
 * {@link MAX_SPANS}: cut from the original text here, when they are first read.
 */
function distinctSpans(source: AdSource, items: readonly Evidence[]): EvidenceSpan[] {
  const spans: Evidence[] = [];
  let sorted = true;
  for (const item of items) {
    if (item.field === undefined) continue;
    if (spans.length > 0 && compareSpans(spans[spans.length - 1], item) > 0) sorted = false;
    spans.push(item);
  }
  if (!sorted) {
    if (spans.length <= MAX_INSERTION_SORT) insertionSort(spans);
    else spans.sort(compareSpans);
  }
  const kept: EvidenceSpan[] = [];
  let last: Evidence | undefined;
  for (const span of spans) {
    if (last !== undefined && last.field === span.field && span.start >= last.start && span.end <= last.end) continue;
    last = span;
    kept.push(spanIn(source, span.field as AdField, span.start, span.end));
    if (kept.length === MAX_SPANS) break;
  }
  return kept;
}

/** Whether every indicator is one of `allowed`. */
function onlyIndicators(indicators: readonly AssessedIndicator[], allowed: readonly IndicatorCode[]): boolean {
  for (const indicator of indicators) if (!allowed.includes(indicator.code)) return false;
  return true;
}

function bandOf(ruleset: Ruleset, score: number): RiskBand {
  const t = ruleset.bandThresholds;
  if (score >= t.critical) return 'critical';
  if (score >= t.high) return 'high';
  if (score >= t.medium) return 'medium';
  return 'low';
}

function bandThreshold(ruleset: Ruleset, band: RiskBand): number {
  return band === 'low' ? 0 : ruleset.bandThresholds[band];
}

interface MergedContact {
  readonly contact: ContactMatch;
  /** Methods in order of first appearance, each once. */
  readonly obfuscation: ObfuscationMethod[];
  readonly spans: EvidenceSpan[];
}

/** Beyond this many distinct contacts, repeats are found through a Map rather than a linear search. */
const LINEAR_MERGE_LIMIT = 8;

function contactKey(contact: ContactMatch): string {
  return `${contact.kind}:${contact.value}`;
}

/** Each contact once (same kind and value), in order of first appearance, with every span. */
function mergeContacts(fields: readonly FieldText[], found: readonly ContactMatch[][]): ExtractedContact[] {
  const merged: MergedContact[] = [];
  // An ad usually has one or two contacts: compared in place, no key strings, no Map.
  let byKey: Map<string, MergedContact> | undefined;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    for (const contact of found[index]) {
      let entry: MergedContact | undefined;
      if (byKey !== undefined) {
        entry = byKey.get(contactKey(contact));
      } else {
        for (const candidate of merged) {
          if (candidate.contact.value === contact.value && candidate.contact.kind === contact.kind) {
            entry = candidate;
            break;
          }
        }
      }
      if (entry === undefined) {
        entry = { contact, obfuscation: [], spans: [] };
        merged.push(entry);
        if (byKey !== undefined) byKey.set(contactKey(contact), entry);
        else if (merged.length > LINEAR_MERGE_LIMIT) byKey = new Map(merged.map((m) => [contactKey(m.contact), m]));
      }
      for (const method of contact.obfuscation) if (!entry.obfuscation.includes(method)) entry.obfuscation.push(method);
      if (entry.spans.length < MAX_SPANS) entry.spans.push(spanOf(field, contact.start, contact.end));
    }
  }
  const contacts: ExtractedContact[] = [];
  for (const { contact, obfuscation, spans } of merged) {
    const obscured = obfuscation.length > 0;
    contacts.push(
      contact.channel === undefined
        ? { kind: contact.kind, value: contact.value, obscured, obfuscation, spans }
        : { kind: contact.kind, value: contact.value, channel: contact.channel, obscured, obfuscation, spans },
    );
  }
  return contacts;
}

/** Obfuscation that takes deliberate effort; "at"/"dot" and odd separators are also anti-spam habits. */
const DELIBERATE_OBFUSCATION: ReadonlySet<ObfuscationMethod> = new Set([
  'spaced-digits', 'number-words', 'keycaps', 'look-alike-characters', 'invisible-characters',
]);

function networkDetail(evidence: NetworkEvidence): string {
  switch (evidence.kind) {
    case 'contact-reuse':
      return `contact ${evidence.contact} used in ${evidence.adCount} ads under ${evidence.distinctNames} names and ${evidence.distinctCities} cities within ${evidence.windowDays} days`;
    case 'template-cluster':
      return `near-duplicate of ${evidence.clusterSize - 1} other ads (cluster ${evidence.clusterId}, similarity ${round(evidence.similarity, 2)}) posted with ${evidence.distinctContacts} different contacts`;
    case 'known-image-hash':
      return `image ${evidence.imageIndex} matches hash list ${evidence.listId} at Hamming distance ${evidence.distance}`;
  }
}

function usableNetworkEvidence(evidence: NetworkEvidence, ad: AdText, ruleset: Ruleset): boolean {
  if (evidence.kind === 'template-cluster') return evidence.distinctContacts >= 2;
  if (evidence.kind === 'known-image-hash') {
    // A match on a low-quality hash is noise, whoever computed it.
    const image = ad.images?.[evidence.imageIndex];
    return image === undefined || image.quality >= ruleset.minImageQuality;
  }
  return true;
}

const NO_NETWORK_EVIDENCE: readonly NetworkEvidence[] = [];

/** Reused normalisation buffers and lexicon matches: assessment is synchronous and never re-entered. */
const FIELDS: readonly FieldText[] = [
  { field: 'title', text: new NormalisedText(), matches: new TrieMatches() },
  { field: 'body', text: new NormalisedText(), matches: new TrieMatches() },
];

/**
 * Scores one ad. Pure and deterministic: the same ad, context and ruleset always give the same
 * assessment. Throws only on an invalid `referenceDate`.
 */
export function assessAd(ad: AdText, context: AssessmentContext): RiskAssessment {
  const ruleset = context.ruleset ?? DEFAULT_RULESET;
  const reference = toReferenceDate(context.referenceDate);
  const lexicon = compileLexicon(ruleset);
  const region = phoneRegionOf(ad.country);
  const fields = FIELDS;
  const contactsFound: ContactMatch[][] = [];
  const ages: AgeStatementFound[] = [];
  for (let f = 0; f < 2; f++) {
    const fieldText = fields[f];
    const text = normaliseInto(f === 0 ? ad.title : ad.body, fieldText.text);
    matchLexiconInto(lexicon, text, fieldText.matches);
    contactsFound.push(extractContacts(text, region));
    for (const statement of extractAges(text, reference, ruleset.plausibleAge)) {
      ages.push({ value: statement.value, max: statement.max, basis: statement.basis, span: spanOf(fieldText, statement.start, statement.end) });
    }
  }

  const builder = new AssessmentBuilder(ruleset, lexicon, { title: fields[0].text.original, body: fields[1].text.original });
  builder.collectContexts(fields);
  for (const field of fields) builder.addLexiconEvidence(field);
  builder.addSeveralNames();

  const contacts = mergeContacts(fields, contactsFound);
  for (const contact of contacts) {
    if (!contact.obscured) continue;
    builder.adultServiceSeen = true;
    let deliberate = false;
    for (const method of contact.obfuscation) if (DELIBERATE_OBFUSCATION.has(method)) deliberate = true;
    const note = `${contact.kind} ${contact.value}: ${contact.obfuscation.join(', ')}`;
    for (const span of contact.spans) builder.add(evidenceAt('obscured-contact', deliberate ? 'strong' : 'medium', contact.value, span, note));
  }

  const minors: AgeStatementFound[] = [];
  for (const a of ages) if (a.value < ruleset.ageOfMajority) minors.push(a);
  if (minors.length > 0) {
    const innocentContext = [...builder.contexts.keys()].find((c) => INNOCENT_AGE_CONTEXTS.has(c));
    if (innocentContext !== undefined && !builder.adultServiceSeen) {
      for (const minor of minors) {
        builder.suppressed.push({
          code: 'stated-minor',
          span: minor.span,
          reason: `age of a pupil, child or applicant in a ${innocentContext} context with no adult-service indicator`,
        });
      }
    } else {
      for (const minor of minors) {
        const range = minor.max === minor.value ? `${minor.value}` : `${minor.value}-${minor.max}`;
        builder.add(evidenceAt('stated-minor', 'strong', 'stated-minor', minor.span, `stated age ${range} (${minor.basis})`));
      }
    }
  }

  const network = context.network ?? NO_NETWORK_EVIDENCE;
  // Decided before any network evidence is added, and only for ads that have some.
  const offersService = network.length > 0 && ruleset.networkNeedsOneOf.some((code) => builder.has(code));
  for (const evidence of network) {
    if (!usableNetworkEvidence(evidence, ad, ruleset)) continue;
    if (evidence.kind !== 'known-image-hash' && !offersService) {
      builder.suppressed.push({ code: evidence.kind, reason: `${networkDetail(evidence)}; not counted for an ad that offers no service itself` });
      continue;
    }
    const detail = networkDetail(evidence);
    const contactSpans = evidence.kind === 'contact-reuse' ? contacts.find((c) => c.value === evidence.contact)?.spans ?? [] : [];
    if (contactSpans.length === 0) builder.add(evidenceAt(evidence.kind, 'strong', detail, undefined, detail));
    for (const span of contactSpans) builder.add(evidenceAt(evidence.kind, 'strong', detail, span, detail));
  }

  const indicators: AssessedIndicator[] = [];
  let miss = 1;
  let floor: RiskBand = 'low';
  let art18Referral = false;
  for (let index = 0; index < INDICATOR_CODES.length; index++) {
    const items = builder.evidence[index];
    if (items === undefined) continue;
    const code = INDICATOR_CODES[index];
    const definition = ruleset.indicators[code];
    const weight = round(definition.weight * combinedConfidence(ruleset, items));
    miss *= 1 - weight;
    if (definition.bandFloor !== undefined && BAND_ORDER[definition.bandFloor] > BAND_ORDER[floor]) floor = definition.bandFloor;
    if (definition.art18Referral) art18Referral = true;
    indicators.push(new Indicator(code, definition, bestConfidence(items), weight, items, builder.source));
  }

  // Rounded before banding, as it is published: a raw 0.59996 was banded medium but published
  // as 0.6, a score the same thresholds call high (and that `high` flags open cases on).
  let score = round(1 - miss);
  let band = bandOf(ruleset, score);
  if (BAND_ORDER[floor] > BAND_ORDER[band]) {
    band = floor;
    score = Math.max(score, bandThreshold(ruleset, floor));
  }
  let capApplied: string | null = null;
  for (const cap of ruleset.caps) {
    if (indicators.length === 0 || !onlyIndicators(indicators, cap.onlyIndicators)) continue;
    if (BAND_ORDER[band] > BAND_ORDER[cap.maxBand]) {
      band = cap.maxBand;
      const next = RISK_BANDS[BAND_ORDER[cap.maxBand] + 1];
      score = Math.min(score, bandThreshold(ruleset, next) - 0.0001);
      capApplied = cap.id;
    }
  }
  score = round(Math.min(1, Math.max(0, score)));

  let youngest = Infinity;
  for (const a of ages) youngest = Math.min(youngest, a.value);
  return new Assessment(
    score,
    band,
    indicators,
    contacts,
    ages.length === 0 ? null : { value: youngest, statements: ages },
    builder.names,
    builder.suppressed,
    capApplied,
    ruleset,
    art18Referral,
  );
}

/**
 * An assessment whose explanation is written on first read (and kept): streams emit scores
 * and spans, and only people read the explanation. A class rather than an object literal with
 * a getter: defining an accessor on every literal cost more than the rest of the assembly.
 * `toJSON` keeps the serialised form of a plain object, explanation included.
 */
class Assessment implements RiskAssessment {
  readonly rulesetVersion: string;
  readonly #ruleset: Ruleset;
  #explanation: string | undefined;

  constructor(
    readonly score: number,
    readonly band: RiskBand,
    readonly indicators: readonly AssessedIndicator[],
    readonly contacts: readonly ExtractedContact[],
    readonly age: AgeFinding | null,
    readonly names: readonly string[],
    readonly suppressed: readonly Suppression[],
    readonly capApplied: string | null,
    ruleset: Ruleset,
    readonly art18Referral: boolean,
  ) {
    this.rulesetVersion = ruleset.version;
    this.#ruleset = ruleset;
  }

  get explanation(): string {
    this.#explanation ??= explain(this, this.#ruleset);
    return this.#explanation;
  }

  toJSON(): RiskAssessment {
    return {
      score: this.score,
      band: this.band,
      indicators: this.indicators,
      contacts: this.contacts,
      age: this.age,
      names: this.names,
      suppressed: this.suppressed,
      capApplied: this.capApplied,
      explanation: this.explanation,
      rulesetVersion: this.rulesetVersion,
      art18Referral: this.art18Referral,
    };
  }
}

/**
 * An indicator as assessed. Its spans and detail are built when first read (and kept): a
 * stream that reads scores, or an assessment made only for its contacts and names, never
 * cuts spans out of the text or quotes them. `toJSON` keeps the serialised form of a plain
 * object, spans and detail included.
 */
class Indicator implements AssessedIndicator {
  readonly tier: IndicatorTier;
  readonly #definition: IndicatorDefinition;
  readonly #items: readonly Evidence[];
  readonly #source: AdSource;
  #spans: readonly EvidenceSpan[] | undefined;
  #detail: string | undefined;

  constructor(
    readonly code: IndicatorCode,
    definition: IndicatorDefinition,
    readonly confidence: Confidence,
    readonly weight: number,
    items: readonly Evidence[],
    source: AdSource,
  ) {
    this.tier = definition.tier;
    this.#definition = definition;
    this.#items = items;
    this.#source = source;
  }

  get spans(): readonly EvidenceSpan[] {
    this.#spans ??= distinctSpans(this.#source, this.#items);
    return this.#spans;
  }

  get detail(): string {
    this.#detail ??= detailOf(this.#items, this.spans);
    return this.#detail;
  }

  get caution(): string | undefined {
    return this.#definition.caution;
  }

  toJSON(): AssessedIndicator {
    const { code, tier, confidence, weight, spans, detail, caution } = this;
    return caution === undefined ? { code, tier, confidence, weight, spans, detail } : { code, tier, confidence, weight, spans, detail, caution };
  }
}

/** Notes of the evidence (ages, contacts, network), then the phrases matched. */
function detailOf(items: readonly Evidence[], spans: readonly EvidenceSpan[]): string {
  let detail = '';
  let phrases = false;
  for (const item of items) {
    if (item.note === undefined) phrases = true;
    else if (!detail.includes(item.note)) detail += detail.length === 0 ? item.note : `; ${item.note}`;
  }
  if (!phrases) return detail;
  let matched = '';
  for (const span of spans) {
    const quoted = quote(span.text);
    if (!matched.includes(quoted)) matched += matched.length === 0 ? quoted : `, ${quoted}`;
  }
  return detail.length === 0 ? `matched ${matched}` : `${detail}; matched ${matched}`;
}

/** A reviewer-facing account of the assessment, one line per indicator. */
export function explain(assessment: Omit<RiskAssessment, 'explanation'>, ruleset: Ruleset): string {
  const lines = [`Band ${assessment.band} (score ${assessment.score.toFixed(2)}) under ruleset ${assessment.rulesetVersion}.`];
  if (assessment.indicators.length === 0) lines.push('No indicator found.');
  for (const indicator of assessment.indicators) {
    const label = ruleset.indicators[indicator.code].label;
    let line = `- ${indicator.code} (${label}; ${indicator.tier} evidence, ${indicator.confidence} match, weight ${indicator.weight.toFixed(2)}): ${indicator.detail}`;
    if (indicator.caution !== undefined) line += ` [${indicator.caution}]`;
    lines.push(line);
  }
  if (assessment.suppressed.length > 0) {
    lines.push('Set aside:');
    for (const s of assessment.suppressed) lines.push(`- ${s.code}${s.span ? ` ${quote(s.span.text)}` : ''}: ${s.reason}`);
  }
  if (assessment.capApplied !== null) {
    const cap = ruleset.caps.find((c) => c.id === assessment.capApplied);
    lines.push(`Capped at ${cap?.maxBand ?? 'a lower band'}: ${cap?.reason ?? assessment.capApplied}.`);
  }
  if (assessment.art18Referral) lines.push('DSA Art. 18: evidence of a minor; refer to the police without delay.');
  return lines.join('\n');
}
