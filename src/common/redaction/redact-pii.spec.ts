import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { isSupportedCountry, Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { beforeAll, describe, expect, it } from 'vitest';
import { HmacSha256 } from './hmac-sha256.js';
import { classifyKey, configureRedactionSecret, DEFAULT_PHONE_REGIONS, redactPII, redactText } from './index.js';
import { regionPlan, validInternational, validNational } from './phone-metadata.js';
import { piiTag } from './pii-hasher.js';

const TAG = (kind: string) => new RegExp(`^\\[${kind}:[0-9a-f]{6}\\]$`);

function luhnComplete(body: string): string {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = Number(body[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

beforeAll(() => {
  configureRedactionSecret('unit-test-secret');
});

describe('classifyKey', () => {
  it.each([
    ['client_name', 'NAME'], ['clientName', 'NAME'], ['CLIENT_NAME', 'NAME'], ['Client-Name', 'NAME'], ['name', 'NAME'],
    ['first_name', 'NAME'], ['lastName', 'NAME'], ['full_name', 'NAME'], ['guest_first_name', 'NAME'],
    ['email', 'EMAIL'], ['client_email', 'EMAIL'], ['billingEmail', 'EMAIL'],
    ['phone', 'PHONE'], ['client_phone', 'PHONE'], ['mobile', 'PHONE'], ['contactPhoneNumber', 'PHONE'],
    ['recipient', 'CONTACT'], ['to', 'CONTACT'], ['cc', 'CONTACT'], ['bcc', 'CONTACT'],
    ['address', 'PII'], ['street', 'PII'], ['notes', 'PII'], ['body', 'PII'], ['message', 'PII'], ['ip', 'IP'],
    ['authorization', 'SECRET'], ['Authorization', 'SECRET'], ['password', 'SECRET'], ['token', 'SECRET'],
    ['api_key', 'SECRET'], ['X-Api-Key', 'SECRET'], ['secret', 'SECRET'], ['cookie', 'SECRET'], ['Set-Cookie', 'SECRET'],
    ['refresh_token', 'SECRET'], ['stripeApiKey', 'SECRET'], ['webhook_secret', 'SECRET'],
  ])('%s is %s', (key, cls) => {
    expect(classifyKey(key)).toBe(cls);
  });

  it.each([
    'tenant_id', 'resource_id', 'status', 'subject', 'slug', 'timezone', 'id', 'starts_at', 'service_name',
    'file_name', 'max_tokens', 'prompt_tokens', 'token_count', 'token_type', 'email_verified', 'from', 'currency',
  ])('%s is not PII', (key) => {
    expect(classifyKey(key)).toBeUndefined();
  });
});

describe('redactPII by key', () => {
  it('tags known fields with their kind whatever the value', () => {
    const out = redactPII({
      client_email: 'a@b.com',
      client_name: 'Zoë Müller-Łukasiewicz',
      client_phone: '+14155552671',
      address: '1 Main St',
      notes: 'no PII detector would find this: allergic to latex',
    });
    expect(out.client_email).toMatch(TAG('EMAIL'));
    expect(out.client_name).toMatch(TAG('NAME'));
    expect(out.client_phone).toMatch(TAG('PHONE'));
    expect(out.address).toMatch(TAG('PII'));
    expect(out.notes).toMatch(TAG('PII'));
  });

  it('masks secrets without a hash', () => {
    const out = redactPII({ authorization: 'Bearer abc', password: 'hunter2', headers: { 'X-Api-Key': 'k', Cookie: 'sid=1' } });
    expect(out).toEqual({ authorization: '[SECRET]', password: '[SECRET]', headers: { 'X-Api-Key': '[SECRET]', Cookie: '[SECRET]' } });
  });

  it('masks a secret whatever its shape', () => {
    expect(redactPII({ credentials: { user: 'u', pass: 'p' }, token: 12345 })).toEqual({ credentials: '[SECRET]', token: '[SECRET]' });
  });

  it('keeps null, undefined and empty values under PII keys', () => {
    expect(redactPII({ email: null, phone: undefined, client_name: '', password: '' })).toEqual({
      email: null,
      phone: undefined,
      client_name: '',
      password: '',
    });
  });

  it('tags every leaf below a PII key, with inner keys taking precedence', () => {
    const out = redactPII({ address: { street: 'Hauptstr. 1', city: 'Berlin', zip: 10115 }, to: ['a@b.com', '+1 415 555 2671', 'Alice'] });
    expect(out.address.street).toMatch(TAG('PII'));
    expect(out.address.city).toMatch(TAG('PII'));
    expect(out.address.zip).toMatch(TAG('PII'));
    expect(out.to[0]).toMatch(TAG('EMAIL'));
    expect(out.to[1]).toMatch(TAG('PHONE'));
    expect(out.to[2]).toMatch(TAG('PII'));
  });

  it('does not touch ordinary keys, numbers or booleans', () => {
    const input = {
      tenant_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      resource_id: 'res_42',
      status: 'confirmed',
      slug: 'downtown-salon',
      timezone: 'Europe/Berlin',
      subject: 'Your appointment on 2024-03-15 at 10:30',
      count: 4155552671,
      created_at: 1710498600000,
      paid: true,
    };
    expect(redactPII(input)).toEqual(input);
  });

  it('scans free-text fields such as subject by value', () => {
    expect(redactPII({ subject: 'Booking for alice@example.com' }).subject).toMatch(/^Booking for \[EMAIL:[0-9a-f]{6}\]$/);
  });

  it('redacts personal data used as an object key', () => {
    const out = redactPII({ 'alice@example.com': { visits: 3 } });
    const keys = Object.keys(out);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(TAG('EMAIL'));
  });
});

describe('keyed hash', () => {
  it('is stable for one secret and normalised per kind', () => {
    const email = redactPII({ email: 'Alice@Example.COM' }).email;
    expect(redactText('mail alice@example.com')).toBe(`mail ${email}`);
    expect(redactText('call +1 (415) 555-2671')).toBe(redactText('call +14155552671'));
    expect(redactText('call (415) 555-2671')).toBe(redactText('call +1 415 555 2671'));
    expect(redactPII({ phone: '+14155552671' }).phone).toBe(redactText('+1 415-555-2671'));
    expect(redactText('4111 1111 1111 1111')).toBe(redactText('4111-1111-1111-1111'));
    expect(redactText('DE89 3704 0044 0532 0130 00')).toBe(redactText('DE89370400440532013000'));
  });

  it('depends on the secret', () => {
    const before = redactText('alice@example.com');
    configureRedactionSecret('another-secret');
    const after = redactText('alice@example.com');
    configureRedactionSecret('unit-test-secret');
    expect(after).not.toBe(before);
    expect(redactText('alice@example.com')).toBe(before);
  });

  it('rejects an empty secret', () => {
    expect(() => configureRedactionSecret('')).toThrow();
  });

  it('is HMAC-SHA256 of kind NUL value, first 6 hex chars', () => {
    const expected = createHmac('sha256', 'unit-test-secret').update('EMAIL\u0000alice@example.com').digest('hex').slice(0, 6);
    expect(piiTag('EMAIL', 'alice@example.com')).toBe(`[EMAIL:${expected}]`);
  });

  it('matches node:crypto for any key and message (multi-block, non-ASCII, long keys)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 300 }), (key, message) => {
        const expected = createHmac('sha256', key).update(message, 'utf8').digest('hex').slice(0, 8);
        expect(new HmacSha256(key).hexPrefix(message, 8)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('phone validation', () => {
  const regions = DEFAULT_PHONE_REGIONS.filter((r): r is CountryCode => isSupportedCountry(r));
  const iddPrefix = (region: CountryCode): RegExp => {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(region);
    return new RegExp(`^(?:${metadata.numberingPlan?.IDDPrefix() ?? '$^'})`);
  };

  it('agrees with libphonenumber-js on international numbers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{6,14}$/), (digits) => {
        const lib = parsePhoneNumberFromString(`+${digits}`);
        expect(validInternational(digits)).toBe(lib?.isValid() ? lib.number : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with libphonenumber-js on national numbers of the default regions', () => {
    const nationalDigits = fc.oneof(fc.stringMatching(/^0[1-9]\d{6,11}$/), fc.stringMatching(/^[2-9]\d{6,11}$/));
    fc.assert(
      fc.property(fc.constantFrom(...regions), nationalDigits, (region, digits) => {
        const plan = regionPlan(region);
        // Out of scope, read by the library as international: a leading calling code without '+',
        // or an IDD prefix other than 00 (011 from North America, 0011 from Australia, 010 from Japan).
        fc.pre(plan !== undefined && !digits.startsWith(plan.callingCode) && !iddPrefix(region).test(digits));
        const lib = parsePhoneNumberFromString(digits, region);
        expect(validNational(digits, plan as NonNullable<typeof plan>)).toBe(lib?.isValid() ? lib.number : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on real example numbers', () => {
    for (const [region, national] of [['US', '2015550123'], ['GB', '07400123456'], ['DE', '015123456789'], ['FR', '0612345678'], ['JP', '09012345678'], ['IN', '08123456789'], ['BR', '11961234567'], ['AU', '0412345678'], ['CA', '5062345678']] as const) {
      const lib = parsePhoneNumberFromString(national, region);
      expect(lib?.isValid()).toBe(true);
      expect(validNational(national, regionPlan(region) as NonNullable<ReturnType<typeof regionPlan>>)).toBe(lib?.number);
      expect(validInternational((lib?.number ?? '').slice(1))).toBe(lib?.number);
    }
  });
});

describe('redactText by value', () => {
  it.each([
    ['EMAIL', 'alice+booking@mail.example.co.uk'],
    ['EMAIL', 'zoë.müller@exämple.de'],
    ['EMAIL', '用户@例子.广告'],
    ['PHONE', '+49 (0)30 1234 5677'],
    ['PHONE', '+44 (0) 20 7946 0958'],
    ['PHONE', '0044 20 7946 0958'],
    ['PHONE', '(415) 555-2671'],
    ['PHONE', '415.555.2671'],
    ['PHONE', '+33 6 12 34 56 78'],
    ['PHONE', '06 12 34 56 78'],
    ['PHONE', '030 12345678'],
    ['PHONE', '+81 90-1234-5678'],
    ['PHONE', '+91 98765 43210'],
    ['PHONE', '(11) 91234-5678'],
    ['PHONE', '+61 412 345 678'],
    ['CARD', '4111 1111 1111 1111'],
    ['CARD', '5555-5555-5555-4444'],
    ['CARD', '378282246310005'],
    ['CARD', '6011 1111 1111 1117'],
    ['IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN', 'GB82WEST12345698765432'],
    ['IBAN', 'FR14 2004 1010 0505 0001 3M02 606'],
    ['IBAN', 'NL91ABNA0417164300'],
    ['IP', '203.0.113.195'],
    ['IP', '2001:db8:85a3::8a2e:370:7334'],
  ])('replaces a whole %s: %s', (kind, value) => {
    const out = redactText(`before ${value} after`);
    expect(out).toMatch(new RegExp(`^before \\[${kind}:[0-9a-f]{6}\\] after$`));
  });

  it('never leaves part of a trunk-notation number behind', () => {
    const out = redactText('Ruf an: +49 (0)30 1234 5677, danke');
    expect(out).toMatch(/^Ruf an: \[PHONE:[0-9a-f]{6}\], danke$/);
    expect(out.replace(/\[PHONE:[0-9a-f]{6}\]/, '')).not.toMatch(/\d/);
  });

  it('finds several kinds in one text', () => {
    const out = redactText('Mail bob@example.org or call +1 415 555 2671 from 198.51.100.7; IBAN GB82 WEST 1234 5698 7654 32');
    expect(out).toMatch(/^Mail \[EMAIL:\w{6}\] or call \[PHONE:\w{6}\] from \[IP:\w{6}\]; IBAN \[IBAN:\w{6}\]$/);
  });

  it.each([
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    '2024-03-15T10:30:00.000Z',
    '2024-03-15T10:30:00+01:00',
    '2024-03-15 10:30',
    '15.03.2024',
    '03/15/2024',
    '1710498600',
    '1710498600000',
    'BK-2024-000123',
    'Invoice 2024-000123',
    'order 4829301746',
    '€1,234.56',
    '19.99 USD',
    '1.234,56 €',
    'PT30M',
    '90 minutes',
    'v1.2.3',
    'v1.2.3.4',
    '2.10.0-beta.1',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '4111 1111 1111 1112',
    'DE00 3704 0044 0532 0130 00',
    'SKU-4829-XL',
    'Chrome/120.0.0.0',
    'icon@2x.png',
    'Feed::add',
    '10:30:00',
  ])('leaves %s alone', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('handles texts dense with personal data', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i}: mail user${i}@example.com or call +1 415 555 ${String(i).padStart(4, '0')} from 10.0.${i % 250}.7`);
    const out = redactText(lines.join('\n')).split('\n');
    expect(out).toHaveLength(3000);
    for (const line of out) expect(line).toMatch(/^\d+: mail \[EMAIL:\w{6}\] or call \[PHONE:\w{6}\] from \[IP:\w{6}\]$/);
  });

  it('finds a phone written right after a date, without touching the date', () => {
    expect(redactText('Termin 15.03.2024 030 12345678')).toMatch(/^Termin 15\.03\.2024 \[PHONE:\w{6}\]$/);
    expect(redactText('2024-03-15 10:30 +49 30 1234 5678')).toMatch(/^2024-03-15 10:30 \[PHONE:\w{6}\]$/);
  });

  it('reads an unseparated national number as a phone only after a cue word', () => {
    expect(redactText('ref 4155552671')).toBe('ref 4155552671');
    expect(redactText('call me at 4155552671')).toMatch(/^call me at \[PHONE:\w{6}\]$/);
  });

  it('treats a dotted quad of octets ≤ 255 as an IP', () => {
    expect(redactText('version 1.2.3.4')).toMatch(/^version \[IP:\w{6}\]$/);
    expect(redactText('1.2.3.4.5')).toBe('1.2.3.4.5');
    expect(redactText('256.1.1.1')).toBe('256.1.1.1');
  });
});

describe('redactPII structure', () => {
  it('never mutates its input', () => {
    const input = deepFreeze({
      client: { email: 'a@b.com', tags: ['x', 'call +1 415 555 2671'] },
      raw: '{"phone":"+14155552671"}',
    });
    const snapshot = JSON.stringify(input);
    const out = redactPII(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(out).not.toBe(input);
    expect(out.client).not.toBe(input.client);
  });

  it('returns a fresh copy even when nothing is redacted', () => {
    const input = { a: { b: [1, 2] } };
    const out = redactPII(input);
    expect(out).toEqual(input);
    expect(out.a).not.toBe(input.a);
    expect(out.a.b).not.toBe(input.a.b);
  });

  it('turns cycles into [Circular] but redacts shared references everywhere', () => {
    const shared = { email: 'a@b.com' };
    const root: Record<string, unknown> = { first: shared, second: shared, list: [shared, shared] };
    root['self'] = root;
    (shared as Record<string, unknown>)['owner'] = { back: root };
    const out = redactPII(root) as Record<string, any>;
    expect(out['self']).toBe('[Circular]');
    expect(out['first'].email).toMatch(TAG('EMAIL'));
    expect(out['second'].email).toBe(out['first'].email);
    expect(out['list'][1].email).toBe(out['first'].email);
    expect(out['first'].owner.back).toBe('[Circular]');
  });

  it('truncates beyond the depth limit', () => {
    let deep: Record<string, unknown> = { email: 'deep@example.com' };
    for (let i = 0; i < 50; i++) deep = { child: deep };
    const out = JSON.stringify(redactPII(deep));
    expect(out).toContain('[Truncated]');
    expect(out).not.toContain('deep@example.com');
    expect(JSON.stringify(redactPII(deep, { maxDepth: 3 }))).toBe('{"child":{"child":{"child":"[Truncated]"}}}');
  });

  it('bounds arrays, objects and strings', () => {
    const items = Array.from({ length: 20 }, (_, i) => `item ${i}`);
    const arr = redactPII(items, { maxItems: 5 }) as unknown[];
    expect(arr).toHaveLength(6);
    expect(arr[5]).toBe('[Truncated] 15 more items');
    const obj = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(redactPII(obj, { maxKeys: 3 }))).toEqual(['k0', 'k1', 'k2', '[Truncated]']);
    const long = `${'word '.repeat(300)}alice@example.com ${'x'.repeat(2000)}`;
    const cut = redactPII(long, { maxStringLength: 1000 });
    expect(cut.length).toBeLessThan(1100);
    expect(cut.endsWith('…[Truncated]')).toBe(true);
    expect(cut).not.toContain('alice');
  });

  it('bounds the total number of visited values', () => {
    const wide = Array.from({ length: 50 }, () => Array.from({ length: 50 }, () => ({ n: 1 })));
    const out = JSON.stringify(redactPII(wide, { maxNodes: 100 }));
    expect(out).toContain('[Truncated]');
  });

  it('converts dates, binaries and errors', () => {
    const err = new TypeError('failed for alice@example.com');
    const out = redactPII({
      at: new Date('2024-03-15T10:30:00Z'),
      bad: new Date(Number.NaN),
      buf: Buffer.from('secret'),
      bytes: new Uint8Array(4),
      err,
    }) as Record<string, any>;
    expect(out['at']).toBe('2024-03-15T10:30:00.000Z');
    expect(out['bad']).toBe('Invalid Date');
    expect(out['buf']).toBe('[Binary]');
    expect(out['bytes']).toBe('[Binary]');
    expect(out['err'].name).toBe('TypeError');
    expect(out['err'].message).toMatch(/^failed for \[EMAIL:\w{6}\]$/);
  });

  it('handles Maps, Sets and toJSON', () => {
    const out = redactPII({
      m: new Map<string, unknown>([['email', 'a@b.com'], ['status', 'ok']]),
      s: new Set(['x@y.org']),
      money: { toJSON: () => ({ amount: 100, client_name: 'Ann' }) },
    }) as Record<string, any>;
    expect(out['m'].email).toMatch(TAG('EMAIL'));
    expect(out['m'].status).toBe('ok');
    expect(out['s'][0]).toMatch(TAG('EMAIL'));
    expect(out['money'].amount).toBe(100);
    expect(out['money'].client_name).toMatch(TAG('NAME'));
  });

  it('redacts JSON held in a string and re-serialises it', () => {
    const out = redactPII({ payload: JSON.stringify({ client_name: 'Ann', nested: '{"email":"a@b.com"}', n: 1 }) });
    const parsed = JSON.parse(out.payload) as Record<string, string>;
    expect(parsed['client_name']).toMatch(TAG('NAME'));
    expect(JSON.parse(parsed['nested'] as string).email).toMatch(TAG('EMAIL'));
    expect(parsed['n']).toBe(1);
  });

  it('returns a JSON string with nothing to redact verbatim', () => {
    const raw = '{ "status" : "ok",  "n": [1, 2] }';
    expect(redactPII({ raw }).raw).toBe(raw);
    expect(redactPII('[see notes]')).toBe('[see notes]');
    expect(redactPII('[PHONE:abcdef]')).toBe('[PHONE:abcdef]');
  });

  it('keeps a literal __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": {"email": "a@b.com"}, "ok": 1}') as Record<string, unknown>;
    const out = redactPII(input) as Record<string, any>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'ok']);
    expect(out['__proto__'].email).toMatch(TAG('EMAIL'));
  });

  it('survives getters that throw', () => {
    const input = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(redactPII(input)).toEqual({ boom: '[Unreadable]' });
  });
});

describe('properties', () => {
  it('never throws and never mutates arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withSet: true, withTypedArray: true }), (value) => {
        const before = fc.stringify(value);
        redactPII(value);
        expect(fc.stringify(value)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves 10-13 digit ids, UUIDs and ISO timestamps alone', () => {
    const id = fc.bigInt({ min: 1_000_000_000n, max: 9_999_999_999_999n }).map(String);
    const iso = fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(
      fc.property(id, fc.uuid(), iso, (n, uuid, ts) => {
        const text = `order ${n} tenant ${uuid} at ${ts} epoch ${Math.floor(Date.parse(ts) / 1000)}`;
        expect(redactText(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('finds every Luhn-valid Visa/Mastercard number however it is grouped', () => {
    const card = fc
      .tuple(fc.constantFrom('4', '51', '52', '53', '54', '55'), fc.stringMatching(/^\d{14}$/), fc.constantFrom(' ', '-', ''))
      .map(([prefix, rest, sep]) => {
        const digits = luhnComplete((prefix + rest).slice(0, 15));
        return digits.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
      });
    fc.assert(
      fc.property(card, (value) => {
        expect(redactText(`pay with ${value} now`)).toMatch(/^pay with \[CARD:[0-9a-f]{6}\] now$/);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every address built from ordinary parts', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    const email = fc
      .tuple(fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9])?$/), fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'de', 'co.uk', 'io', 'fr'))
      .filter(([local]) => !local.includes('..'))
      .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`);
    fc.assert(
      fc.property(email, (value) => {
        expect(redactText(`write to ${value}, thanks`)).toMatch(/^write to \[EMAIL:[0-9a-f]{6}\], thanks$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redacting twice', () => {
  it('keeps an existing tag under a PII key, so a value keeps its tag across tables', () => {
    const once = redactPII({ client_name: 'Zoë Müller-Łukasiewicz', email: 'zoe@example.com' });
    expect(redactPII(once)).toEqual(once);
  });
});
