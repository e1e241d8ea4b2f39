/**
 * The process-wide cache of compiled schemas (src/http/schema-cache.ts): a schema compiles once per
 * set of options, whether it comes back as the same object or as a copy with the same content;
 * different content, different options, or content JSON cannot carry faithfully compile afresh;
 * and two apps built in one process validate and serialize exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { shareCompiledValidators, sharedSerializerFactory } from '../../src/http/schema-cache.js';
import { swedishOrder } from '../fixtures/orders.js';
import { startTestKassa } from '../support/harness.js';

/** An Ajv stand-in that counts the compiles that reach it. */
function countingAjv() {
  const ajv = {
    compiles: 0,
    compile(schema: unknown) {
      ajv.compiles++;
      return (data: unknown) => JSON.stringify(data).length > JSON.stringify(schema).length;
    },
  };
  return ajv;
}

describe('shared validators', () => {
  it('compiles a schema once across instances, by identity and by content', () => {
    const plugin = shareCompiledValidators({ test: 'identity-and-content' });
    const [a, b] = [plugin(countingAjv()), plugin(countingAjv())];
    const schema = { type: 'object', properties: { id: { type: 'string', maxLength: 3 } } };
    const first = a.compile(schema);
    expect(b.compile(schema)).toBe(first);
    expect(b.compile(structuredClone(schema))).toBe(first);
    expect(a.compiles + b.compiles).toBe(1);
  });

  it('compiles afresh for other content, other options, and content JSON cannot carry', () => {
    const plugin = shareCompiledValidators({ test: 'fresh' });
    const a = plugin(countingAjv());
    a.compile({ type: 'string', maxLength: 3 });
    a.compile({ type: 'string', maxLength: 4 });
    expect(a.compiles).toBe(2);

    const other = shareCompiledValidators({ test: 'fresh', coerceTypes: true })(countingAjv());
    other.compile({ type: 'string', maxLength: 3 });
    expect(other.compiles).toBe(1);

    const withRegExp = () => ({ type: 'string', pattern: /^a/ });
    const withFunction = () => ({ type: 'string', validate: () => true });
    a.compile(withRegExp());
    a.compile(withRegExp());
    a.compile(withFunction());
    a.compile(withFunction());
    expect(a.compiles).toBe(6);
  });
});

describe('shared serializers', () => {
  it('serializes like fast-json-stringify, compiled once per schema content and options', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } };
    const first = sharedSerializerFactory({}, {})({ schema });
    expect(first({ n: 1, s: 'x', hidden: true })).toBe('{"n":1,"s":"x"}');
    expect(sharedSerializerFactory({}, {})({ schema: structuredClone(schema) })).toBe(first);
    expect(sharedSerializerFactory({}, { rounding: 'floor' })({ schema })).not.toBe(first);
    expect(sharedSerializerFactory({}, {})({ schema: { ...schema, required: ['n'] } })).not.toBe(first);
  });
});

describe('apps built one after another in a process', () => {
  it('answer the same requests the same way: validation (body, headers) and serialization', async () => {
    const answers: [number, unknown][][] = [];
    for (let i = 0; i < 2; i++) {
      const t = await startTestKassa();
      try {
        const requests = [
          t.request('POST', '/payments/v1/sessions', { body: { purchase_country: 'SE' } }),
          t.request('POST', '/payments/v1/sessions', { body: '{"purchase_country": 1}' }),
          t.request('POST', '/payments/v1/sessions', { body: swedishOrder(), headers: { 'Klarna-Idempotency-Key': 'k'.repeat(300) } }),
          t.request('POST', '/payments/v1/sessions', { body: swedishOrder() }),
        ];
        answers.push(
          (await Promise.all(requests)).map((res) => {
            const { correlation_id: _, ...body } = res.json();
            // A success carries fresh ids and tokens: what must match is the shape the serializer wrote.
            return [res.statusCode, res.statusCode === 200 ? Object.keys(body) : body] as [number, unknown];
          }),
        );
      } finally {
        await t.close();
      }
    }
    expect(answers[0]!.map((a) => a[0])).toEqual([400, 400, 400, 200]);
    expect(answers[0]![2]![1]).toMatchObject({ error_code: 'BAD_VALUE', error_messages: [expect.stringContaining('klarna-idempotency-key')] });
    expect(answers[0]![3]![1]).toEqual(expect.arrayContaining(['session_id', 'client_token', 'payment_method_categories']));
    expect(answers[1]).toEqual(answers[0]);
  });
});
