import { describe, expect, it } from 'vitest';
import { OPERATIONS, isOperationName } from '../../../src-shared/common/api/contract.ts';
import { ApiRouter, type Handlers } from '../../../src-main/services/api-router.ts';

// The router is tested with the handlers it needs here; the cast skips the app's other operations.
const handlers = {
  'app.info': () => ({
    appVersion: '1',
    deviceId: 'd',
    deviceName: 'n',
    home: '/h',
    transport: 'in-process',
    keyProtection: 'file-permissions',
    schemaVersion: 1,
    demo: false,
    readOnly: null,
    centralView: false,
  }),
  'connectivity.get': () => ({ state: 'not-configured', server: null, checkedAt: null, detail: 'x' }),
  'journal.list': (req) => ({ total: req.limit, events: [], nextBeforeRowid: req.beforeRowid ?? null }),
  'journal.verify': () => {
    throw new Error('boom');
  },
} as Partial<Handlers> as Handlers;

describe('ApiRouter: the boundary every transport calls', () => {
  const router = new ApiRouter(handlers);

  it('fills defaults and passes validated requests to the handler', async () => {
    expect(await router.call('journal.list', {})).toEqual({ ok: true, value: { total: 200, events: [], nextBeforeRowid: null } });
    expect(await router.call('journal.list', { limit: 5, beforeRowid: 9 })).toEqual({
      ok: true,
      value: { total: 5, events: [], nextBeforeRowid: 9 },
    });
  });

  it('refuses an unknown operation by name', async () => {
    const r = await router.call('controllers.write', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-operation' } });
    if (!r.ok) expect(r.error.message).toContain('controllers.write');
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: 5, extra: true }, 'extra'],
    ['not an object', '(request)'],
  ])('refuses a malformed payload %j and names the field', async (req, field) => {
    const r = await router.call('journal.list', req);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-request');
      expect(r.error.message).toContain(field);
      expect(r.error.hint).toMatch(/Nothing was changed/);
    }
  });

  it('turns an unexpected exception into error data without a stack trace', async () => {
    const r = await router.call('journal.verify', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (!r.ok) expect(JSON.stringify(r.error)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('knows exactly the contract operations', () => {
    for (const name of Object.keys(OPERATIONS)) expect(isOperationName(name)).toBe(true);
    expect(isOperationName('toString')).toBe(false);
    expect(isOperationName('__proto__')).toBe(false);
  });
});
