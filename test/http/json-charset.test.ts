/**
 * JSON bodies are UTF-8 (issue 17): another declared charset is 415 and bytes that are not valid
 * UTF-8 are 400, in the v1 or v2 error shape of the route, and nothing is stored. Valid UTF-8
 * (multi-byte characters, an explicit `charset=UTF-8`) is accepted as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa, type TestKassa } from '../support/harness.js';
import { newOrder, omPath } from '../support/om.js';

let t: TestKassa;
beforeEach(async () => {
  t = await startTestKassa();
});
afterEach(async () => t.close());

const post = (url: string, payload: Buffer | string, contentType: string) =>
  t.kassa.app.inject({ method: 'POST', url, headers: { authorization: t.merchant.authorization, 'content-type': contentType }, payload });
const sessions = () => t.kassa.deps.engine.store.listAggregates(t.merchant.accountId, 'session', { limit: 10 });
const order = () => JSON.stringify({ ...swedishOrder(), merchant_reference1: 'Ström' });

describe('charset', () => {
  it.each(['utf-16', 'UTF-16LE', 'latin1', 'iso-8859-1', '"windows-1252"'])('refuses charset=%s with 415', async (charset) => {
    const body = charset.toLowerCase().startsWith('utf-16') ? Buffer.from(order(), 'utf16le') : Buffer.from(order(), 'latin1');
    const res = await post('/payments/v1/sessions', body, `application/json; charset=${charset}`);
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error_code: 'BAD_REQUEST' });
    expect(res.json().error_messages[0]).toMatch(/charset=.*UTF-8/);
    expect(await sessions()).toHaveLength(0);
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"'])('accepts %s', async (type) => {
    const res = await post('/payments/v1/sessions', Buffer.from(order(), 'utf8'), type);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses another charset on routes that allow an empty body, and on v2 in the v2 shape', async () => {
    const id = await newOrder(t);
    expect((await post(omPath(id, '/cancel'), '', 'application/json; charset=latin1')).statusCode).toBe(415);
    const v2 = await post('/v2/notification/signing-keys', '{}', 'application/json; charset=utf-16');
    expect(v2.statusCode).toBe(415);
    expect(v2.json()).toMatchObject({ error_type: 'INPUT_ERROR', error_code: 'VALIDATION_ERROR' });
  });
});

describe('invalid UTF-8', () => {
  const broken = (s: string) => Buffer.concat([Buffer.from(s.slice(0, 40), 'utf8'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(s.slice(40), 'utf8')]);

  it('refuses bytes that are not UTF-8 with 400 and stores nothing', async () => {
    for (const bytes of [broken(order()), Buffer.from('{"merchant_reference1":"\xe9"}', 'latin1'), Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])]) {
      const res = await post('/payments/v1/sessions', bytes, 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error_code: 'BAD_REQUEST', error_messages: ['Malformed request body: not valid UTF-8'] });
    }
    expect(await sessions()).toHaveLength(0);
  });

  it('answers invalid UTF-8 on v2 in the v2 shape', async () => {
    const res = await post('/v2/notification/signing-keys', Buffer.from([0x7b, 0xff, 0x7d]), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_type: 'INPUT_ERROR', error_message: 'Malformed request body: not valid UTF-8' });
  });

  it('refuses invalid UTF-8 on routes that allow an empty body', async () => {
    const id = await newOrder(t);
    const res = await post(omPath(id, '/captures'), Buffer.from([0x7b, 0x22, 0x61, 0x80, 0x22, 0x7d]), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json().error_messages).toEqual(['Malformed request body: not valid UTF-8']);
  });
});
