import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../../src/errors.js';
import { Redactor, classifyNumber, luhn } from '../../../../src/security/redact/index.js';

const redactor = new Redactor({ fields: ['customer_email'], patterns: [{ name: 'employee_id', regex: 'EMP-?[0-9]{6}' }] });

function redact(text: string): { text: string; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return { text: redactor.redactText(text, counts), counts };
}

describe('redaction of personal data', () => {
  it.each([
    ['mail jane.doe+work@example.co.uk today', 'mail [EMAIL] today', 'email'],
    ['<a@b.io>', '<[EMAIL]>', 'email'],
    ['call +44 20 7946 0958 now', 'call [PHONE] now', 'phone'],
    ['call (555) 123-4567', 'call [PHONE]', 'phone'],
    ['call 555-123-4567.', 'call [PHONE].', 'phone'],
    ['call 1 555 123 4567', 'call [PHONE]', 'phone'],
    ['ring 020 7946 0958', 'ring [PHONE]', 'phone'],
    ['card 4111 1111 1111 1111 ok', 'card [CARD] ok', 'card'],
    ['card 5500-0000-0000-0004', 'card [CARD]', 'card'],
    ['amex 378282246310005', 'amex [CARD]', 'card'],
    ['iban GB82 WEST 1234 5698 7654 32.', 'iban [IBAN].', 'iban'],
    ['iban DE89370400440532013000', 'iban [IBAN]', 'iban'],
    ['ssn 123-45-6789', 'ssn [NATIONAL_ID]', 'national_id'],
    ['nino AB 12 34 56 C', 'nino [NATIONAL_ID]', 'national_id'],
    ['sin 130 692 544', 'sin [NATIONAL_ID]', 'national_id'],
    ['nino JG103752D', 'nino [NATIONAL_ID]', 'national_id'],
    ['from 192.168.1.20:8080', 'from [IP]:8080', 'ip'],
    ['from 2001:db8::8a2e:370:7334 end', 'from [IP] end', 'ip'],
    ['loopback ::1', 'loopback [IP]', 'ip'],
    ['badge EMP-123456', 'badge [EMPLOYEE_ID]', 'employee_id'],
  ])('%j → %j', (input, output, type) => {
    const result = redact(input);
    expect(result.text).toBe(output);
    expect(result.counts).toEqual({ [type]: 1 });
  });

  it.each([
    'card 4111 1111 1111 1112 fails Luhn',
    'iban GB82 WEST 1234 5698 7654 33 fails mod-97',
    'ssn 000-12-3456 and 666-12-3456 and 900-12-3456 were never issued',
    'nino BG 12 34 56 C has a banned prefix, QQ123456A an unissued first letter',
    'sin 130-692-545 fails Luhn, 130-692 544 mixes separators, 046-454-286 starts with 0',
    'on 2026-11-26 at 12:30:45, version 1.2.3, pi 3.14159265, total 1,234,567, order #12345678',
    'ip 256.1.1.1 is not an address; std::vector is code',
    'passwordless sign-in; 512 tokens: 512',
    'a@b has no domain; user@localhost neither',
    'plain 1234567 and 123456789 alone are not phone numbers',
  ])('leaves %j alone', (input) => {
    expect(redact(input)).toEqual({ text: input, counts: {} });
  });

  it('counts per type over a mixed text', () => {
    const result = redact('a@x.org, b@y.org, 4111111111111111, +1 202 555 0143, 10.0.0.1');
    expect(result.text).toBe('[EMAIL], [EMAIL], [CARD], [PHONE], [IP]');
    expect(result.counts).toEqual({ email: 2, card: 1, phone: 1, ip: 1 });
  });

  it('Luhn and number shapes', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
    expect(classifyNumber('123-45-6789')).toBe('national_id');
    expect(classifyNumber('10.1.2.3')).toBe('ip');
    expect(classifyNumber('2026-11-26')).toBeNull();
  });
});

describe('redaction of credentials', () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi_jkl123', 'Authorization: [CREDENTIAL]'],
    ['curl -H "Authorization: Basic dXNlcjpwYXNz"', 'curl -H "Authorization: [CREDENTIAL]"'],
    ['token is Bearer eyJabc123', 'token is Bearer [CREDENTIAL]'],
    ['password=hunter2; next', 'password=[CREDENTIAL]; next'],
    ['db_password = "s3cr3t value"', 'db_password = "[CREDENTIAL]"'],
    ['{"api_key": "zz-123-secret"}', '{"api_key": "[CREDENTIAL]"}'],
    ["client_secret: 'abc'", "client_secret: '[CREDENTIAL]'"],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = [CREDENTIAL]'],
    ['id AKIAIOSFODNN7EXAMPLE.', 'id [CREDENTIAL].'],
    ['gh ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'gh [CREDENTIAL]'],
    ['openai sk-proj-abcdefghijklmnopqrstuvwxyz', 'openai [CREDENTIAL]'],
    ['slack xoxb-1234567890-abcdefghijklmnop', 'slack [CREDENTIAL]'],
    ['google AIzaSyA-1234567890abcdefghijklmnopqrstu', 'google [CREDENTIAL]'],
    ['dsn postgres://app:s3cret@db.internal:5432/app', 'dsn postgres://[CREDENTIAL]@db.internal:5432/app'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', 'jwt [CREDENTIAL] end'],
  ])('%j → %j', (input, output) => {
    const result = redact(input);
    expect(result.text).toBe(output);
    expect(result.counts).toEqual({ credential: 1 });
  });

  it('removes a private key block, and an unterminated one to the end of the text', () => {
    const block = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(redact(`before\n${block}\nafter`)).toEqual({ text: 'before\n[PRIVATE_KEY]\nafter', counts: { private_key: 1 } });
    expect(redact('x -----BEGIN PRIVATE KEY-----\nMIIE...').text).toBe('x [PRIVATE_KEY]');
    expect(redact('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----').counts).toEqual({});
  });

  it('redacts sensitive field names whatever their spelling', () => {
    expect(redactor.isSensitiveField('Customer-Email')).toBe(true);
    expect(redactor.isSensitiveField('API_KEY')).toBe(true);
    expect(redactor.isSensitiveField('income')).toBe(false);
  });
});

describe('configured patterns', () => {
  const refused = (regex: string): string => {
    try {
      new Redactor({ patterns: [{ name: 'x', regex }] });
    } catch (error) {
      if (error instanceof VigilError && error.code === 'VIGIL_CONFIG_INVALID') return error.message;
    }
    return 'accepted';
  };

  it.each([
    ['a+', /unbounded quantifier "\+"/],
    ['(ab)*', /unbounded quantifier/],
    ['\\d{2,}', /unbounded quantifier "\{2,\}"/],
    ['(a|b){2}', /quantifiers on groups are not allowed/],
    ['(\\w)\\1', /backreferences/],
    ['a(?=b)', /lookarounds/],
    ['\\d{0,64}\\d{0,64}\\d{0,64}', /can backtrack more than 4096 ways/],
    ['\\d{1,100}', /must have min <= max <= 64/],
    ['x?', /matches the empty string/],
    ['[abc', /unclosed character class/],
    ['a'.repeat(201), /1 to 200 characters/],
  ])('refuses %j', (regex, why) => {
    const message = refused(regex);
    expect(message).toMatch(why);
    expect(message).toContain('iolog.redaction.patterns[0].regex');
  });

  it('accepts bounded patterns and rejects bad names', () => {
    expect(refused('MRN[0-9]{8}')).toBe('accepted');
    expect(refused('[A-Z]{2}-?\\d{4,6}')).toBe('accepted');
    expect(() => new Redactor({ patterns: [{ name: 'Bad Name', regex: 'x' }] })).toThrow(/must be 1-40 lower-case/);
    expect(() => new Redactor({ patterns: Array.from({ length: 33 }, () => ({ name: 'x', regex: 'x' })) })).toThrow(/at most 32/);
  });
});
