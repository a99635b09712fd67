import fc from 'fast-check';
import { assessAd, type AdText, type AssessmentContext, type NetworkEvidence, type RiskAssessment } from './assess';
import type { IndicatorCode } from './catalogue';
import { DEFAULT_RULESET, RULESET_VERSION } from './ruleset';

const CONTEXT: AssessmentContext = { referenceDate: '2026-11-23T12:00:00.000Z' };

function assess(body: string, title = '', extra: Partial<AdText> = {}, context: Partial<AssessmentContext> = {}): RiskAssessment {
  return assessAd({ title, body, ...extra }, { ...CONTEXT, ...context });
}

const codes = (a: RiskAssessment): IndicatorCode[] => a.indicators.map((i) => i.code);

describe('assessAd', () => {
  describe('indicators, French and English', () => {
    it.each<[string, IndicatorCode]>([
      ['Jeune fille douce et souriante', 'youth-language'],
      ['Sweet young girl, first time here', 'youth-language'],
      ['Petite brune 💗🍒', 'youth-language'],
      ['Photos 100% réelles, pas de fake', 'trust-claims'],
      ['100% real pics, no fakes', 'trust-claims'],
      ['Belle asiatique', 'ethnicity-emphasis'],
      ['Exotic Brazilian beauty', 'ethnicity-emphasis'],
      ['Nos hôtesses vous reçoivent', 'third-party-control'],
      ['Our girls are waiting, new girls every week', 'third-party-control'],
      ['Léa, Nina et Julie vous attendent', 'third-party-control'],
      ['De passage à Lyon', 'movement'],
      ['New in town for a few days only', 'movement'],
      ['150 roses la demi-heure', 'pricing-codes'],
      ['1h = 200 🌹', 'pricing-codes'],
      ['Massage relaxant, body-body', 'euphemisms'],
      ['Relaxing massage and GFE', 'euphemisms'],
      ['Je reçois en appartement privé ou à votre hôtel', 'incall-hotel'],
      ['Incall or outcall, your hotel', 'incall-hotel'],
    ])('finds %j as %s', (body, code) => {
      expect(codes(assess(body))).toContain(code);
    });

    it('carries evidence spans that are exactly the original text', () => {
      const body = 'Bonjour, PREMIÈRE fois ici. Photos 100 % réelles.';
      const result = assess(body, 'Nouvelle en ville');
      const youth = result.indicators.find((i) => i.code === 'youth-language');
      expect(youth?.spans).toEqual([{ field: 'body', start: 9, end: 22, text: 'PREMIÈRE fois' }]);
      const movement = result.indicators.find((i) => i.code === 'movement');
      expect(movement?.spans).toEqual([{ field: 'title', start: 0, end: 17, text: 'Nouvelle en ville' }]);
    });
  });

  describe('obfuscation', () => {
    it.each([
      'J3UNE et p3t1te',
      'jеunе еt реtitе', // Cyrillic е, р
      'je\u200bune et pe\u200btite',
      'ＪＥＵＮＥ',
      'jéüne',
    ])('still finds youth language in %j', (body) => {
      expect(codes(assess(body))).toContain('youth-language');
    });

    it.each([
      ['0 6 1 2 3 4 5 6 7 8', 'spaced-digits'],
      ['zéro six douze trente-quatre cinquante-six soixante-dix-huit', 'number-words'],
      ['zero six one two three four five six seven eight', 'number-words'],
      ['0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣', 'keycaps'],
      ['lea arobase gmail point com', 'spelled-symbols'],
    ])('records the hidden contact %j as obscured-contact', (contact, method) => {
      const result = assess(`Massage, appelle ${contact}`);
      const obscured = result.indicators.find((i) => i.code === 'obscured-contact');
      expect(obscured?.detail).toContain(method);
      expect(obscured?.spans[0].text).toBe(contact);
      expect(result.contacts[0].obscured).toBe(true);
    });

    it('merges repeated contacts across fields in order of first appearance, however many there are', () => {
      // Few contacts are compared in place and many go through a map: both must merge alike.
      for (const count of [3, 12]) {
        const numbers = Array.from({ length: count }, (_, k) => `06 12 34 56 ${String(10 + k)}`);
        const title = `appelle ${numbers[count - 1]}`;
        const body = [...numbers, numbers[1], 'whatsapp: +33 6 12 34 56 11', 'lea arobase gmail point com', numbers[0]].join(', ');
        const result = assess(body, title);
        const expected = [numbers[count - 1], ...numbers.slice(0, count - 1)].map((n) => `+33${n.replace(/ /g, '').slice(1)}`);
        expect(result.contacts.map((c) => c.value)).toEqual([...expected, 'lea@gmail.com']);
        const spansOf = (value: string) => result.contacts.find((c) => c.value === value)?.spans.map((s) => `${s.field}:${s.text}`);
        expect(spansOf(expected[0])).toEqual([`title:${numbers[count - 1]}`, `body:${numbers[count - 1]}`]);
        expect(spansOf(expected[1])).toEqual([`body:${numbers[0]}`, `body:${numbers[0]}`]);
        expect(spansOf(expected[2])).toEqual([`body:${numbers[1]}`, `body:${numbers[1]}`, 'body:+33 6 12 34 56 11']);
        const whatsapp = result.contacts.find((c) => c.value === expected[2]);
        expect(whatsapp?.channel).toBeUndefined();
        expect(result.contacts.find((c) => c.value === 'lea@gmail.com')).toMatchObject({ obscured: true, obfuscation: ['spelled-symbols'] });
      }
    });

    it('does not call a plainly written number obscured', () => {
      const result = assess('Massage, appelle 06 12 34 56 78');
      expect(codes(result)).not.toContain('obscured-contact');
      expect(result.contacts).toEqual([
        { kind: 'phone', value: '+33612345678', obscured: false, obfuscation: [], spans: [{ field: 'body', start: 17, end: 31, text: '06 12 34 56 78' }] },
      ]);
    });
  });

  describe('stated minors', () => {
    it.each(['Léa, 17 ans, nouvelle', 'dix-sept ans, douce', 'née en 2009', '17yo sweet girl', 'age: 17', 'I am seventeen'])(
      'makes %j critical with an Art. 18 referral',
      (body) => {
        const result = assess(`${body}. Massage, je reçois.`);
        expect(result.band).toBe('critical');
        expect(result.art18Referral).toBe(true);
        expect(codes(result)[0]).toBe('stated-minor');
        expect(result.explanation).toContain('Art. 18');
        expect(result.age?.value).toBeLessThan(18);
      },
    );

    it('does not flag an adult age', () => {
      const result = assess('Léa, 19 ans, massage');
      expect(codes(result)).not.toContain('stated-minor');
      expect(result.art18Referral).toBe(false);
      expect(result.age).toMatchObject({ value: 19 });
    });

    it('does not flag a pupil in a tutoring ad', () => {
      const result = assess('Cours particuliers de maths pour lycéenne de 16 ans, 20 euros de l’heure.', 'Soutien scolaire');
      expect(result.band).toBe('low');
      expect(result.suppressed.map((s) => s.code)).toContain('stated-minor');
    });

    it('keeps the flag when a "job" ad carries adult-service cues', () => {
      expect(assess('Recrute hôtesse 17 ans, massage, logement à l’hôtel fourni').band).toBe('critical');
    });
  });

  describe('negatives stay low', () => {
    it.each([
      ['Kinésithérapeute diplômée d’état', 'Massage thérapeutique et relaxation au cabinet, remboursé par la mutuelle. Tél 04 78 12 34 56.'],
      ['Licensed massage therapist', 'Registered massage therapist, sports massage and relaxation, insurance receipts. Call 020 7946 0958.'],
      ['New in town!', 'Our new restaurant is opening on Friday: fresh food, thai dishes, takeaway. Call 020 7946 0958.'],
      ['Nouveau en ville', 'Nouvelle boulangerie de passage au marché, ouverture samedi, livraison possible.'],
      ['Recrutement', 'Jeune entreprise recrute jeune diplômée en CDI, agence de Lyon. Candidature: rh@exemple.fr'],
      ['We are hiring', 'Young dynamic team hiring part-time staff, we offer training. Apply with your resume.'],
      ['Appartement T2 à louer', 'Petite terrasse, meublé, charges comprises, loyer 750 €, photos réelles. Agence immobilière.'],
      ['Room for rent', 'Furnished bedroom in a flatshare, monthly rent 600, utilities included, real photos.'],
      ['Baby-sitting', 'Étudiante sérieuse propose garde d’enfants de 3 à 12 ans, 10 ans d’expérience.'],
    ])('%j', (title, body) => {
      const result = assess(body, title);
      expect(result.band).toBe('low');
      expect(result.art18Referral).toBe(false);
    });

    it('explains what it set aside', () => {
      const result = assess('Massage thérapeutique par kinésithérapeute diplômée.');
      expect(result.suppressed).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'euphemisms' })]));
      expect(result.explanation).toContain('licensed-therapy');
    });
  });

  describe('bands and caps', () => {
    it('never puts movement language alone above medium', () => {
      const ruleset = {
        ...DEFAULT_RULESET,
        indicators: { ...DEFAULT_RULESET.indicators, movement: { ...DEFAULT_RULESET.indicators.movement, weight: 0.99 } },
      };
      const result = assess('De passage, nouvelle en ville, new in town', '', {}, { ruleset });
      expect(result.band).toBe('medium');
      expect(result.capApplied).toBe('weak-evidence-only');
      expect(result.score).toBeLessThan(ruleset.bandThresholds.high);
    });

    it('keeps movement with weak cues at medium at most', () => {
      const result = assess('De passage quelques jours, massage et détente, 150 roses, je reçois à l’hôtel');
      expect(['low', 'medium']).toContain(result.band);
    });

    it('rates several strong indicators high', () => {
      const result = assess('Jeune fille, première fois, photos 100% réelles, nos hôtesses vous attendent');
      expect(result.band).toBe('high');
    });

    it('records the ruleset version and flags ethnicity for bias monitoring', () => {
      const result = assess('Belle asiatique, massage');
      expect(result.rulesetVersion).toBe(RULESET_VERSION);
      const ethnicity = result.indicators.find((i) => i.code === 'ethnicity-emphasis');
      expect(ethnicity?.caution).toContain('monitor for bias');
      expect(result.explanation).toContain('monitor for bias');
    });

    it('returns low with no indicator for an empty ad', () => {
      expect(assess('', '')).toMatchObject({ score: 0, band: 'low', indicators: [], contacts: [], age: null });
    });
  });

  describe('network evidence', () => {
    const reuse: NetworkEvidence = { kind: 'contact-reuse', contact: '+33612345678', distinctNames: 4, distinctCities: 3, adCount: 9, windowDays: 7 };
    const cluster: NetworkEvidence = { kind: 'template-cluster', clusterId: 'tpl-1', clusterSize: 12, distinctContacts: 5, similarity: 0.93 };

    it('merges contact reuse and template clusters into the score, with the contact as evidence', () => {
      const without = assess('Massage relaxant, je reçois. 06 12 34 56 78');
      const withNetwork = assess('Massage relaxant, je reçois. 06 12 34 56 78', '', {}, { network: [reuse, cluster] });
      expect(withNetwork.score).toBeGreaterThan(without.score);
      expect(withNetwork.band).toBe('high');
      const evidence = withNetwork.indicators.find((i) => i.code === 'contact-reuse');
      expect(evidence?.spans[0].text).toBe('06 12 34 56 78');
      expect(evidence?.detail).toContain('4 names');
    });

    it('ignores contact reuse and templates for an ad that offers no service itself', () => {
      const body = 'Jeune boulangère, pain frais tous les jours. 06 12 34 56 78';
      const result = assess(body, '', {}, { network: [reuse, cluster] });
      expect(result.score).toBe(assess(body).score);
      expect(codes(result)).toEqual(['youth-language']);
      expect(result.suppressed.map((s) => s.code)).toEqual(expect.arrayContaining(['contact-reuse', 'template-cluster']));
    });

    it('ignores a template cluster posted with one contact only', () => {
      const result = assess('Massage', '', {}, { network: [{ ...cluster, distinctContacts: 1 }] as NetworkEvidence[] });
      expect(codes(result)).not.toContain('template-cluster');
    });

    it('ignores a hash match on a low-quality image', () => {
      const images = [{ pdq: 'ab'.repeat(32), quality: 40 }];
      const result = assess('Bonjour', '', { images }, { network: [{ kind: 'known-image-hash', imageIndex: 0, listId: 'l', distance: 3 }] });
      expect(result.band).toBe('low');
    });

    it('makes a known image hash critical', () => {
      const result = assess('Bonjour', '', {}, { network: [{ kind: 'known-image-hash', imageIndex: 0, listId: 'authority-2026-11', distance: 12 }] });
      expect(result.band).toBe('critical');
      expect(codes(result)).toEqual(['known-image-hash']);
    });
  });

  it('rejects an invalid reference date', () => {
    expect(() => assessAd({ title: '', body: '' }, { referenceDate: 'not a date' })).toThrow(RangeError);
  });

  describe('properties', () => {
    const fragments = [
      'jeune', 'petite', ' ', '17 ans', 'dix-sept', 'ans', 'massage', '0', '6', '12', ' 34', 'zéro', 'six', '\u200b', 'е', '️⃣',
      '💗', '🌹', '@', 'arobase', 'point', 'com', 'lea', '\ud800', '\udc00', 'née en 2009', 'whatsapp:', 'photos 100% réelles', '\n',
    ];
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.array(fc.constantFrom(...fragments), { maxLength: 80 }).map((a) => a.join('')),
      fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 50 }),
    );

    function spansAreExact(ad: AdText, result: RiskAssessment): boolean {
      const all = [
        ...result.indicators.flatMap((i) => i.spans),
        ...result.contacts.flatMap((c) => c.spans),
        ...(result.age?.statements.map((s) => s.span) ?? []),
        ...result.suppressed.flatMap((s) => (s.span ? [s.span] : [])),
      ];
      return all.every((span) => {
        const original = span.field === 'title' ? ad.title : ad.body;
        return 0 <= span.start && span.start < span.end && span.end <= original.length && original.slice(span.start, span.end) === span.text;
      });
    }

    it('never throws, keeps the score in [0, 1] and every span exact', () => {
      fc.assert(
        fc.property(anyText, anyText, (title, body) => {
          const ad = { title, body };
          const result = assessAd(ad, CONTEXT);
          return result.score >= 0 && result.score <= 1 && spansAreExact(ad, result) && result.rulesetVersion === RULESET_VERSION;
        }),
        { numRuns: 300 },
      );
    });

    it('handles 50 KB ads', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 6000, maxLength: 12000 }), (parts) => {
          const body = parts.join('').slice(0, 50_000);
          const ad = { title: 'x', body };
          const result = assessAd(ad, CONTEXT);
          return result.score >= 0 && result.score <= 1 && spansAreExact(ad, result);
        }),
        { numRuns: 5 },
      );
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(anyText, (body) => JSON.stringify(assessAd({ title: '', body }, CONTEXT)) === JSON.stringify(assessAd({ title: '', body }, CONTEXT))),
        { numRuns: 100 },
      );
    });
  });
});
