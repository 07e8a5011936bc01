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

/** Suffix rules catch prefixed variants (`billing_email`, `stripe_api_key`); the longest suffix wins. */
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

/*
 * Keys are matched by walking two tries over the key's characters, lowercasing and skipping
 * separators on the fly: no string is built per key, which matters at ~50 keys per payload.
 * The forward trie holds the exact names, the backward one the suffixes (longest suffix wins).
 */
interface TrieNode {
  next: Array<TrieNode | undefined>;
  cls: KeyClass | undefined;
}

const SKIP = -1;
const NO_MATCH = -2;

/** Trie slot of a key character: a-z → 0-25, 0-9 → 26-35; separators are skipped. */
function slot(c: number): number {
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 48 && c <= 57) return c - 22;
  if (c === 95 || c === 45 || c === 46 || c === 32) return SKIP;
  return NO_MATCH;
}

function newNode(): TrieNode {
  return { next: new Array<TrieNode | undefined>(36).fill(undefined), cls: undefined };
}

function insert(root: TrieNode, word: string, cls: KeyClass, reversed: boolean): void {
  let node = root;
  for (let k = 0; k < word.length; k++) {
    const i = slot(word.charCodeAt(reversed ? word.length - 1 - k : k));
    if (i < 0) throw new Error(`pii-keys: unsupported character in "${word}"`);
    node = node.next[i] ??= newNode();
  }
  node.cls ??= cls;
}

const EXACT = newNode();
for (const [cls, names] of EXACT_KEYS) for (const name of names) insert(EXACT, name, cls, false);
for (const prefix of PERSON_PREFIXES) insert(EXACT, `${prefix}name`, 'NAME', false);
const SUFFIXES = newNode();
for (const [suffix, cls] of SUFFIX_RULES) insert(SUFFIXES, suffix, cls, true);

function exactClass(key: string): KeyClass | undefined {
  let node: TrieNode | undefined = EXACT;
  for (let k = 0; k < key.length; k++) {
    const i = slot(key.charCodeAt(k));
    if (i === SKIP) continue;
    if (i === NO_MATCH) return undefined;
    node = node.next[i];
    if (node === undefined) return undefined;
  }
  return node.cls;
}

function suffixClass(key: string): KeyClass | undefined {
  let node: TrieNode | undefined = SUFFIXES;
  let found: KeyClass | undefined;
  for (let k = key.length - 1; k >= 0; k--) {
    const i = slot(key.charCodeAt(k));
    if (i === SKIP) continue;
    if (i === NO_MATCH) break;
    node = node.next[i];
    if (node === undefined) break;
    if (node.cls !== undefined) found = node.cls;
  }
  return found;
}

/** Class of a PII/secret key, or undefined for an ordinary key. */
export function classifyKey(key: string): KeyClass | undefined {
  if (key.length === 0 || key.length > 64) return undefined;
  return exactClass(key) ?? suffixClass(key);
}
