import { extractContacts, phoneRegionOf, type ContactMatch } from './contacts';
import { normalise } from './text/normalise';

interface Found {
  kind: string;
  value: string;
  channel?: string;
  obfuscation: string[];
  said: string;
}

function contactsIn(text: string, country?: string): Found[] {
  const normalised = normalise(text);
  return extractContacts(normalised, phoneRegionOf(country)).map((c: ContactMatch) => ({
    kind: c.kind,
    value: c.value,
    ...(c.channel === undefined ? {} : { channel: c.channel }),
    obfuscation: [...c.obfuscation].sort(),
    said: text.slice(normalised.originalStart(c.start), normalised.originalEnd(c.end)),
  }));
}

describe('extractContacts', () => {
  describe('phones', () => {
    it.each([
      ['Tél 06 12 34 56 78', '+33612345678', '06 12 34 56 78'],
      ['appelle 0612345678.', '+33612345678', '0612345678'],
      ['+33 6 12 34 56 78', '+33612345678', '+33 6 12 34 56 78'],
      ['0033 6 12 34 56 78', '+33612345678', '0033 6 12 34 56 78'],
      ['06.12.34.56.78', '+33612345678', '06.12.34.56.78'],
      ['06-12-34-56-78', '+33612345678', '06-12-34-56-78'],
      ['+44 20 7946 0958', '+442079460958', '+44 20 7946 0958'],
    ])('reads %j in plain sight', (text, value, said) => {
      expect(contactsIn(text)).toEqual([{ kind: 'phone', value, obfuscation: [], said }]);
    });

    it('uses the ad country as the default region', () => {
      expect(contactsIn('call 020 7946 0958', 'GB')[0].value).toBe('+442079460958');
      expect(contactsIn('call 020 7946 0958', 'ZZ')).toEqual([]);
    });

    it.each([
      ['0 6 1 2 3 4 5 6 7 8', ['spaced-digits']],
      ['06 1 2 3 4 56 78', ['spaced-digits']],
      ['zéro six douze trente-quatre cinquante-six soixante-dix-huit', ['number-words', 'spaced-digits']],
      ['0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣', ['keycaps']],
      ['０６１２３４５６７８', ['look-alike-characters']],
      ['06\u200b12\u200b34\u200b56\u200b78', ['invisible-characters']],
      ['06*12*34*56*78', ['unusual-separators']],
    ])('recovers %j and records how it was hidden', (text, obfuscation) => {
      const [found] = contactsIn(`appelle ${text} !`);
      expect(found).toMatchObject({ kind: 'phone', value: '+33612345678', said: text });
      expect(found.obfuscation).toEqual(obfuscation);
    });

    it('separates a phone number from a price that follows it', () => {
      expect(contactsIn('06 12 34 56 78 100 roses').map((c) => c.value)).toEqual(['+33612345678']);
    });

    it('finds a phone number after a date', () => {
      expect(contactsIn('dispo le 12/05/2026 06 12 34 56 78').map((c) => c.value)).toEqual(['+33612345678']);
    });

    it.each(['150 roses 30 min', 'née le 12/05/2009', 'réf 123456', 'code postal 69003', '1234 5678 9012 3456 7890'])(
      'finds no phone number in %j',
      (text) => {
        expect(contactsIn(text)).toEqual([]);
      },
    );
  });

  describe('e-mails', () => {
    it('reads a plain address', () => {
      expect(contactsIn('écris à Lea.92@Mail.com.')).toEqual([{ kind: 'email', value: 'lea.92@mail.com', obfuscation: [], said: 'Lea.92@Mail.com' }]);
    });

    it.each([
      ['lea arobase gmail point com', 'lea arobase gmail point com'],
      ['lea [at] gmail [dot] com', 'lea [at] gmail [dot] com'],
      ['lea (at) gmail.com', 'lea (at) gmail.com'],
      ['lea at gmail dot com', 'lea at gmail dot com'],
      ['lea @ gmail . com', 'lea @ gmail . com'],
    ])('reads the spelled address %j', (text, said) => {
      expect(contactsIn(`mail: ${text} merci`)).toEqual([{ kind: 'email', value: 'lea@gmail.com', obfuscation: ['spelled-symbols'], said }]);
    });

    it('does not read "at the hotel" as an address', () => {
      expect(contactsIn('meet me at the hotel dot')).toEqual([]);
      expect(contactsIn('rendez-vous à la gare')).toEqual([]);
    });
  });

  describe('messaging handles', () => {
    it.each([
      ['telegram: @lea_92', 'telegram:@lea_92'],
      ['Snap lea.paris', 'snapchat:@lea.paris'],
      ['tg @lea92', 'telegram:@lea92'],
      ['wa: lea92', 'whatsapp:@lea92'],
      ['t3l3gram ➡️ @lea_92', 'telegram:@lea_92'],
    ])('reads %j', (text, value) => {
      expect(contactsIn(text)).toMatchObject([{ kind: 'handle', value }]);
    });

    it('attaches the channel to a phone number given after it', () => {
      expect(contactsIn('WhatsApp: 06 12 34 56 78')).toEqual([
        { kind: 'phone', value: '+33612345678', channel: 'whatsapp', obfuscation: [], said: '06 12 34 56 78' },
      ]);
      expect(contactsIn('wa 0612345678')[0].channel).toBe('whatsapp');
    });

    it.each(['snap uniquement', 'wa est là', 'whatsapp me', 'tg rouge', 'signal de départ'])('finds no handle in %j', (text) => {
      expect(contactsIn(text)).toEqual([]);
    });
  });
});
