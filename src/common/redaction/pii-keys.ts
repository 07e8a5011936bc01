import type { KeyClass } from './redaction.types.js';

/*
 * Key names are compared after normalisation: lowercased, with `_`, `-`, `.` and spaces removed,
 * so `client_email`, `clientEmail`, `Client-Email` and `CLIENT_EMAIL` are the same key.
 * Deliberately absent (not PII): tenant_id, resource_id, status, slug, timezone, subject
 * (subject is free text and is scanned by value instead), from (usually the business itself).
 */

const EXACT_KEYS: ReadonlyArray<readonly [KeyClass, readonly string[]]> = [
  [
    'SECRET',
    [
      'authorization', 'proxyauthorization', 'auth', 'password', 'pass', 'passwd', 'pwd', 'passphrase',
      'secret', 'clientsecret', 'token', 'accesstoken', 'refreshtoken', 'idtoken', 'bearer', 'jwt',
      'apikey', 'xapikey', 'cookie', 'cookies', 'setcookie', 'privatekey', 'credentials', 'sessionid',
      'otp', 'cvv', 'cvc', 'cvv2', 'securitycode',
    ],
  ],
  ['EMAIL', ['email', 'emails', 'mail', 'clientemail', 'emailaddress', 'replytoemail']],
  [
    'PHONE',
    ['phone', 'phones', 'phonenumber', 'phonenumbers', 'clientphone', 'mobile', 'mobilenumber', 'cell', 'tel',
      'telephone', 'fax', 'msisdn', 'whatsapp', 'whatsappnumber'],
  ],
  [
    'NAME',
    [
      'name', 'firstname', 'lastname', 'fullname', 'middlename', 'givenname', 'familyname', 'surname',
      'maidenname', 'nickname', 'displayname', 'preferredname', 'legalname', 'username', 'clientname',
      'customername', 'contactname', 'patientname', 'recipientname', 'guestname', 'attendeename',
      'holdername', 'cardholder', 'cardholdername', 'accountholder', 'accountholdername',
    ],
  ],
  ['CONTACT', ['to', 'cc', 'bcc', 'recipient', 'recipients', 'replyto', 'sender']],
  [
    'IP',
    ['ip', 'ips', 'ipaddress', 'clientip', 'remoteip', 'remoteaddr', 'remoteaddress', 'xforwardedfor',
      'forwardedfor', 'xrealip', 'userip', 'sourceip'],
  ],
  ['CARD', ['cardnumber', 'ccnumber', 'creditcard', 'creditcardnumber', 'pan']],
  ['IBAN', ['iban']],
  [
    'PII',
    [
      'address', 'street', 'streetaddress', 'addressline', 'addressline1', 'addressline2', 'homeaddress',
      'billingaddress', 'shippingaddress', 'postalcode', 'postcode', 'zip', 'zipcode', 'notes', 'note',
      'body', 'message', 'comment', 'comments', 'dob', 'dateofbirth', 'birthdate', 'birthday', 'ssn',
      'socialsecuritynumber', 'nationalid', 'passport', 'passportnumber', 'taxid', 'driverslicense',
      'accountnumber', 'bankaccount',
    ],
  ],
];

const KEY_CLASSES: ReadonlyMap<string, KeyClass> = new Map(
  EXACT_KEYS.flatMap(([cls, names]) => names.map((n) => [n, cls] as const)),
);

/** Suffix rules catch prefixed variants (`billing_email`, `stripe_api_key`); first match wins. */
const SUFFIX_RULES: ReadonlyArray<readonly [string, KeyClass]> = [
  ['password', 'SECRET'], ['passwd', 'SECRET'], ['secret', 'SECRET'], ['token', 'SECRET'],
  ['apikey', 'SECRET'], ['privatekey', 'SECRET'], ['cookie', 'SECRET'], ['authorization', 'SECRET'],
  ['emailaddress', 'EMAIL'], ['email', 'EMAIL'], ['emails', 'EMAIL'],
  ['phonenumber', 'PHONE'], ['phone', 'PHONE'], ['phones', 'PHONE'], ['mobile', 'PHONE'], ['mobilenumber', 'PHONE'],
  ['firstname', 'NAME'], ['lastname', 'NAME'], ['fullname', 'NAME'], ['givenname', 'NAME'],
  ['familyname', 'NAME'], ['surname', 'NAME'], ['middlename', 'NAME'],
  ['ipaddress', 'IP'], ['cardnumber', 'CARD'], ['iban', 'IBAN'],
  ['streetaddress', 'PII'], ['homeaddress', 'PII'], ['postalcode', 'PII'], ['dateofbirth', 'PII'],
];

/** `<person>name` keys (client_name, guestName…); a bare `*name` suffix would catch service_name, file_name. */
const PERSON_PREFIXES: readonly string[] = [
  'client', 'customer', 'contact', 'patient', 'guest', 'attendee', 'recipient', 'sender', 'user', 'owner',
  'member', 'person', 'holder', 'parent', 'guardian', 'caller', 'emergencycontact', 'billing',
];

const SEPARATORS = /[-_. ]/g;

export function normaliseKey(key: string): string {
  const lower = key.toLowerCase();
  return lower.search(SEPARATORS) === -1 ? lower : lower.replace(SEPARATORS, '');
}

/** Class of a PII/secret key, or undefined for an ordinary key. */
export function classifyKey(key: string): KeyClass | undefined {
  if (key.length === 0 || key.length > 64) return undefined;
  const norm = normaliseKey(key);
  const exact = KEY_CLASSES.get(norm);
  if (exact !== undefined) return exact;
  for (const [suffix, cls] of SUFFIX_RULES) {
    if (norm.length > suffix.length && norm.endsWith(suffix)) return cls;
  }
  if (norm.endsWith('name')) {
    const stem = norm.slice(0, -4);
    if (PERSON_PREFIXES.includes(stem)) return 'NAME';
  }
  return undefined;
}
