import crypto from 'node:crypto';
import { OutboundRefused, isPublicAddress, parseWebhookUrl, resolveTarget } from '../../src/modules/webhooks/outbound-address';
import { excerptOf } from '../../src/modules/webhooks/webhook-sender';
import { newSecret, secretHint, sign, signedHeaders } from '../../src/modules/webhooks/webhook-signature';
import { EVENT_TYPES, EventType, enumName, typeOfEnumName } from '../../src/modules/events/event-envelope';

describe('webhook addresses', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '192.0.2.1', '198.18.0.1', '240.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
    '::127.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1', '2001::1', '2001:db8::1', 'not-an-address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001::1'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('refuses other schemes, credentials and what is not a URL, with a reason', () => {
    const reason = (raw: string) => { try { parseWebhookUrl(raw); return 'OK'; } catch (e) { return (e as OutboundRefused).reason; } };
    expect(['https://hooks.example.com/x', 'http://[::1]:8080/', 'ftp://example.com/', 'file:///etc/passwd', 'https://u:p@example.com/', 'https://user@example.com/', 'not a url', 'javascript:alert(1)']
      .map(reason)).toEqual(['OK', 'OK', 'SCHEME', 'SCHEME', 'CREDENTIALS', 'CREDENTIALS', 'MALFORMED_URL', 'SCHEME']);
  });

  it('a name is refused when any address it resolves to is private, and used as resolved when allowed', async () => {
    const lookup = (answers: string[]) => async () => answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const url = new URL('https://hooks.example.com/in');
    await expect(resolveTarget(url, false, lookup(['93.184.216.34', '10.0.0.5']))).rejects.toMatchObject({ reason: 'PRIVATE_ADDRESS' });
    await expect(resolveTarget(url, false, lookup(['::ffff:127.0.0.1']))).rejects.toMatchObject({ reason: 'PRIVATE_ADDRESS' });
    await expect(resolveTarget(url, false, lookup(['93.184.216.34']))).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveTarget(url, true, lookup(['10.0.0.5']))).resolves.toEqual([{ address: '10.0.0.5', family: 4 }]);
    await expect(resolveTarget(url, false, async () => { throw Object.assign(new Error('x'), { code: 'ENOTFOUND' }); })).rejects.toMatchObject({ reason: 'UNRESOLVED' });
    // Literal addresses are judged without a lookup.
    await expect(resolveTarget(new URL('http://[::1]:9/'), false, lookup([]))).rejects.toMatchObject({ reason: 'PRIVATE_ADDRESS' });
    await expect(resolveTarget(new URL('http://127.0.0.1:9/'), true, lookup([]))).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});

describe('webhook signatures (Standard Webhooks)', () => {
  it('signs id.timestamp.body with the key the secret encodes, one signature per secret', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretHint(secret)).toBe(secret.slice(0, 10));
    const key = Buffer.from(secret.slice(6), 'base64');
    expect(key).toHaveLength(32);
    const expected = crypto.createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(sign(secret, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
    const older = newSecret();
    expect(signedHeaders([secret, older], 'msg_1', 1700000000, '{"a":1}')).toEqual({
      'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': `${sign(secret, 'msg_1', 1700000000, '{"a":1}')} ${sign(older, 'msg_1', 1700000000, '{"a":1}')}`,
    });
  });

  it('a response excerpt is at most 1 KB of UTF-8, without NUL, never a split character', () => {
    const text = excerptOf(Buffer.from(`${'a'.repeat(1023)}é${'b'.repeat(100)}`));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text).toBe('a'.repeat(1023));
    expect(excerptOf(Buffer.from('ok\u0000done'))).toBe('okdone');
  });
});

describe('event type names', () => {
  it('every type goes to its GraphQL enum name and back, an underscore in the subject included', () => {
    const types = Object.keys(EVENT_TYPES) as EventType[];
    expect(types.map((t) => typeOfEnumName(enumName(t)))).toEqual(types);
    expect([enumName('impact_assessment.due'), typeOfEnumName('IMPACT_ASSESSMENT_DUE'), typeOfEnumName('IMPACT_ASSESSMENT'), typeOfEnumName('evidence.created')])
      .toEqual(['IMPACT_ASSESSMENT_DUE', 'impact_assessment.due', null, null]);
  });
});
