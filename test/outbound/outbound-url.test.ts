/**
 * The rule for every outbound URL (issue 17), judged on addresses only: nothing here resolves a
 * name or opens a connection.
 */
import { describe, expect, it } from 'vitest';
import { isRejection } from '../../src/domain/errors.js';
import { checkOutboundUrl, classifyAddress, type OutboundPolicy } from '../../src/domain/outbound/outbound-url.js';

const sandbox: OutboundPolicy = { mode: 'sandbox', allowPrivate: false, trustedOrigin: 'http://127.0.0.1:4545' };
const live: OutboundPolicy = { mode: 'live', allowPrivate: false, trustedOrigin: 'http://127.0.0.1:4545' };
const liveAllowed: OutboundPolicy = { ...live, allowPrivate: true };

const verdict = (url: string, policy: OutboundPolicy) => {
  const r = checkOutboundUrl(url, policy, 'url');
  return isRejection(r) ? r.messages[0] : 'ok';
};

describe('always refused: link-local and cloud metadata, however spelled', () => {
  const never = [
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/',
    'https://169.254.10.1/',
    'http://[::ffff:a9fe:a9fe]/',
    'https://[::ffff:169.254.169.254]/',
    'https://2852039166/', // decimal
    'https://0xA9FEA9FE/', // hex
    'https://0251.0376.0251.0376/', // octal
    'https://0xa9.254.0251.254/', // mixed
    'https://169.254.43518/', // short form
    'https://[fe80::1]/',
    'https://[fd00:ec2::254]/',
    'https://100.100.100.200/',
    'https://[64:ff9b::a9fe:a9fe]/', // NAT64
    'https://[2002:a9fe:a9fe::1]/', // 6to4
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://METADATA.GOOGLE.INTERNAL./',
    'https://metadata.goog/',
    'https://0.0.0.0/',
    'https://[::]/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
  ];
  it.each(never)('%s', (url) => {
    for (const policy of [sandbox, live, liveAllowed]) expect(verdict(url, policy), `${policy.mode} ${policy.allowPrivate}`).toMatch(/Bad value: url \((link-local|not a routable)/);
  });
});

describe('private and loopback', () => {
  it.each(['https://10.0.0.1:8443/', 'https://172.16.5.4/', 'https://192.168.1.10/', 'https://100.64.0.1/', 'https://[fd12:3456::1]/', 'https://127.0.0.1/', 'https://[::1]/', 'https://localhost/', 'https://[::ffff:10.0.0.1]/', 'https://167772161/'])(
    '%s: refused in live mode unless allowed; allowed over https in sandbox',
    (url) => {
      expect(verdict(url, live)).toMatch(/loopback and private addresses are refused in live mode \(KASSA_OUTBOUND_ALLOW_PRIVATE\)/);
      expect(verdict(url, liveAllowed)).toBe('ok');
      expect(verdict(url, sandbox)).toBe('ok');
    },
  );
});

describe('plain http', () => {
  it('only to loopback, only in sandbox', () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost:3000/hook', 'http://[::1]:8080/', 'http://127.1.2.3/']) expect(verdict(url, sandbox), url).toBe('ok');
    for (const url of ['http://10.0.0.1:8080', 'http://example.com/hook', 'http://[::ffff:a00:1]/']) expect(verdict(url, sandbox), url).toMatch(/must be https/);
    for (const url of ['http://127.0.0.1:9/x', 'http://example.com/hook']) expect(verdict(url, liveAllowed), url).toMatch(/must be https/);
  });

  it('and never another scheme, or credentials in the URL', () => {
    expect(verdict('ftp://example.com/', sandbox)).toMatch(/must be an https URL/);
    expect(verdict('https://user:pw@example.com/', sandbox)).toMatch(/credentials/);
    expect(verdict('not a url', sandbox)).toMatch(/not an absolute URL/);
  });
});

describe('public targets and Kassa itself', () => {
  it('allows https to public addresses and names in every mode', () => {
    for (const url of ['https://example.com/hooks', 'https://93.184.215.14/', 'https://[2606:4700::1111]/', 'https://api.playground.klarna.com']) {
      for (const policy of [sandbox, live]) expect(verdict(url, policy), url).toBe('ok');
    }
  });

  it("always allows Kassa's own public origin (the merchant role's default provider)", () => {
    expect(verdict('http://127.0.0.1:4545/payments/v1/sessions', live)).toBe('ok');
    expect(verdict('http://127.0.0.1:4546/payments/v1/sessions', live)).toMatch(/live mode/);
  });
});

it('classifies addresses as the resolver returns them', () => {
  expect(classifyAddress('::ffff:169.254.169.254')).toBe('metadata');
  expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('metadata');
  expect(classifyAddress('10.1.2.3')).toBe('private');
  expect(classifyAddress('::1')).toBe('loopback');
  expect(classifyAddress('2001:db8::1')).toBe('public');
  expect(classifyAddress('example.com')).toBeUndefined();
  expect(classifyAddress('1.2.3')).toBeUndefined();
});
