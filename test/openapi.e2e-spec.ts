import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, opKey } from './support/openapi-operations.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * `/docs-json` is a valid OpenAPI 3 document that documents every route, and it matches the
 * committed snapshot, so API changes show up in review. After an intended change, regenerate the
 * snapshot with `npm run openapi:snapshot` (UPDATE_OPENAPI_SNAPSHOT=1 for this file) and commit it.
 */
const SNAPSHOT = 'test/fixtures/openapi.snapshot.json';
const UPDATE = process.env.UPDATE_OPENAPI_SNAPSHOT === '1';

let t: TestApp;
let doc: any;

beforeAll(async () => {
  t = await startTestApp({ role: 'api' });
  const res = await fetch(`${t.url}/docs-json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(async () => {
  await t?.close();
});

/** The routes Express actually serves, as OpenAPI operation keys (Swagger UI's own routes left out). */
function servedRoutes(): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  const keys: string[] = [];
  for (const layer of express.router.stack) {
    const route = layer.route;
    if (!route || route.path.startsWith('/docs')) continue;
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    for (const [method, on] of Object.entries(route.methods)) if (on && method !== '_all') keys.push(`${method.toUpperCase()} ${path}`);
  }
  return keys.sort();
}

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3 (@apidevtools/swagger-parser)', async () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    const validated = await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(validated.paths ?? {}).length).toBeGreaterThan(20);
  });

  it('the validator used here rejects a broken document', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/jobs/{id}'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/NoSuchView' };
    await expect(SwaggerParser.validate(broken)).rejects.toThrow(/NoSuchView|resolve|Token/);
  });

  it('documents every route the server serves, and no route it does not', () => {
    const documented = operations(doc).map(opKey).sort();
    expect(documented).toEqual(servedRoutes());
  });

  it('documents for every operation a summary, its success answer, and its errors with the error shape and the bearer scheme', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.ErrorView.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message']));
    for (const o of operations(doc)) {
      const key = opKey(o);
      expect(o.op.summary, key).toBeTruthy();
      const codes = Object.keys(o.op.responses);
      const success = codes.filter((c) => c.startsWith('2'));
      expect(success.length, key).toBe(1);
      if (success[0] !== '204') expect(o.op.responses[success[0]!].content, key).toBeTruthy();
      for (const c of codes.filter((x) => Number(x) >= 400)) {
        expect(o.op.responses[c].content?.['application/json']?.schema, `${key} ${c}`).toEqual({ $ref: '#/components/schemas/ErrorView' });
        expect(o.op.responses[c].description, `${key} ${c}`).toBeTruthy();
      }
      if (o.op.security) {
        expect(o.op.security, key).toEqual([{ bearer: [] }]);
        expect(codes, key).toEqual(expect.arrayContaining(['401', '429']));
        if (o.op['x-admin-only']) expect(codes, key).toContain('403');
        // a route that takes input documents the 400 it answers for bad input
        if ((o.op.parameters ?? []).length > 0 || o.op.requestBody) expect(codes, key).toContain('400');
      }
      for (const p of o.op.parameters ?? []) expect(p.schema, `${key} ${p.name}`).toBeTruthy();
    }
  });

  it('matches the committed snapshot (regenerate: npm run openapi:snapshot)', () => {
    const current = JSON.stringify(doc, null, 2) + '\n';
    if (UPDATE) writeFileSync(SNAPSHOT, current);
    expect(existsSync(SNAPSHOT), `${SNAPSHOT} is missing: run npm run openapi:snapshot`).toBe(true);
    const committed = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));
    expect(doc, 'the API changed: review the diff, then run `npm run openapi:snapshot` and commit the snapshot').toEqual(committed);
  });
});
