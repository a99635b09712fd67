import { extractAges, type AgeStatement } from './age';
import { normalise } from './text/normalise';

const REFERENCE = new Date('2026-11-23T12:00:00.000Z');
const BOUNDS = { min: 10, max: 80 };

function agesIn(text: string, reference = REFERENCE): { value: number; max: number; basis: string; said: string }[] {
  const normalised = normalise(text);
  return extractAges(normalised, reference, BOUNDS).map((a: AgeStatement) => ({
    value: a.value,
    max: a.max,
    basis: a.basis,
    said: text.slice(normalised.originalStart(a.start), normalised.originalEnd(a.end)),
  }));
}

const values = (text: string): number[] => agesIn(text).map((a) => a.value);

describe('extractAges', () => {
  it.each([
    ['Léa, 17 ans, douce', 17],
    ['Léa 17ans', 17],
    ['dix-sept ans, nouvelle', 17],
    ['j’ai seize ans', 16],
    ['âge : 17', 17],
    ['Age: 17', 17],
    ['âgée de 19 ans', 19],
    ['17yo, new here', 17],
    ['17 y/o', 17],
    ['17 y.o.', 17],
    ['a 17-year-old girl', 17],
    ['I am 17 years old', 17],
    ["I'm 17!", 17],
    ["j'ai 17 et je suis nouvelle", 17],
    ['I am seventeen', 17],
    ['aged 22', 22],
    ['25 yrs', 25],
  ])('reads the stated age in %j', (text, age) => {
    expect(values(text)).toEqual([age]);
  });

  it('maps the statement back to the original words', () => {
    expect(agesIn('Hello, dix-sept ans !')[0].said).toBe('dix-sept ans');
    expect(agesIn('ＡＧＥ: 17')[0].said).toBe('ＡＧＥ: 17');
  });

  it('computes the age from a birth year with the reference date, never the clock', () => {
    expect(agesIn('née en 2009')).toEqual([{ value: 16, max: 17, basis: 'birth-year', said: 'née en 2009' }]);
    expect(agesIn('born in 2001')[0]).toMatchObject({ value: 24, max: 25 });
    expect(agesIn('née en 2009', new Date('2030-06-01T00:00:00.000Z'))[0]).toMatchObject({ value: 20, max: 21 });
  });

  it('computes the exact age from a birth date', () => {
    expect(agesIn('née le 03/05/2009')[0]).toMatchObject({ value: 17, max: 17, basis: 'birth-date' });
    expect(agesIn('née le 24/11/2008')[0]).toMatchObject({ value: 17, basis: 'birth-date' });
    expect(agesIn('née le 23/11/2008')[0]).toMatchObject({ value: 18, basis: 'birth-date' });
  });

  it.each([
    'masseuse depuis 17 ans',
    '10 ans d’expérience',
    '15 years of experience',
    'il y a 17 ans',
    'garde d’enfants de 3 à 12 ans',
    'jeunes de 16-17 ans',
    'entre 18 et 25 ans',
    'mon fils de 15 ans',
    'votre enfant de 11 ans',
    'bail de 3 ans',
    'voiture de 12 ans',
    'j’ai 20 minutes',
    '18+ only',
    'depuis 2009',
    'tarif 2009',
  ])('finds no stated age in %j', (text) => {
    expect(values(text)).toEqual([]);
  });

  it('keeps only plausible ages', () => {
    expect(values('âge: 5')).toEqual([]);
    expect(values('age 95')).toEqual([]);
    expect(values('née en 1900')).toEqual([]);
  });

  it('reads an age right before a phone number, and none inside it', () => {
    expect(values('âge 17 06 12 34 56 78')).toEqual([17]);
    expect(values('appelle le 06 17 34 56 78 ans')).toEqual([]);
  });

  it('lists every statement', () => {
    expect(values('19 ans… en vrai 16 ans')).toEqual([19, 16]);
  });
});
