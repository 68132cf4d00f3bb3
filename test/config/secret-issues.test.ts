/**
 * Validation problems of secret keys never carry the secret: an issue at or
 * under a secret() key is reported at that key with a neutral message, and
 * every issue's text is scrubbed of the known secret values, whatever the
 * schema's own messages say. Checked on the thrown EW_CONFIG_INVALID (its
 * message and toJSON) and on collected issues.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the project sources written here hold template literals
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigInvalidError, type ConfigIssue, resolveConfig } from '../../src/index.ts';
import { type StandardProjectOptions, writeStandardProject } from '../support/temp-project.ts';

const hex = () => randomBytes(12).toString('hex');

async function resolveIssues(
  options: StandardProjectOptions,
  variables: Record<string, string>,
  env = 'staging',
): Promise<{ thrown: ConfigInvalidError; collected: readonly ConfigIssue[] }> {
  const project = writeStandardProject(options);
  try {
    const base = { cwd: project.dir, env, hostname: 'h', variables } as const;
    const collected = (await resolveConfig({ ...base, collectIssues: true })).issues;
    const thrown = await resolveConfig(base).then(
      () => assert.fail('resolveConfig did not throw'),
      (error: unknown) => error,
    );
    assert.ok(thrown instanceof ConfigInvalidError, `expected EW_CONFIG_INVALID, got ${String(thrown)}`);
    return { thrown, collected };
  } finally {
    project.cleanup();
  }
}

function assertAbsent(where: string, text: string, canaries: readonly string[]): void {
  for (const canary of canaries) assert.ok(!text.includes(canary), `${where} carries a secret:\n${text}`);
}

function assertNoCanary(result: Awaited<ReturnType<typeof resolveIssues>>, canaries: readonly string[]): void {
  assertAbsent('the thrown message', result.thrown.message, canaries);
  assertAbsent('toJSON()', JSON.stringify(result.thrown.toJSON()), canaries);
  assertAbsent('the collected issues', JSON.stringify(result.collected), canaries);
}

describe('issues of secret keys are masked where they are made', () => {
  test('the keys of a record-typed secret are not the issue path', async () => {
    const headerName = `X-${hex()}`;
    const result = await resolveIssues(
      { schemaGroups: 'vault: z.object({ headers: secret(z.record(z.string(), z.string().min(40))) }),' },
      { PAYMENTS_API_KEY: `sk_${hex()}`, VAULT_HEADERS: JSON.stringify({ [headerName]: 'short' }) },
    );
    assertNoCanary(result, [headerName]);
    const issue = result.collected.find((i) => i.key.startsWith('vault'));
    assert.equal(issue?.key, 'vault.headers');
    assert.equal(issue?.code, 'EW_CONFIG_TYPE');
    assert.match(issue?.message ?? '', /secret; message withheld/);
  });

  test('a refine() message built from the input is withheld', async () => {
    const canary = `sk_${hex()}`;
    const result = await resolveIssues(
      {
        schemaGroups:
          'signin: z.object({ token: secret(z.string().refine((v) => v.startsWith("tok_"), { error: (iss) => `bad token ${String(iss.input)}` })) }),',
      },
      { PAYMENTS_API_KEY: `sk_${hex()}`, SIGNIN_TOKEN: canary },
    );
    assertNoCanary(result, [canary]);
    assert.deepEqual(
      result.collected.map((i) => [i.key, i.source]),
      [['signin.token', '$SIGNIN_TOKEN']],
    );
  });

  test("zod v4's error option of a check reading the input is withheld", async () => {
    const canary = `sk_${hex()}`;
    const result = await resolveIssues(
      {
        schemaGroups:
          'signin: z.object({ token: secret(z.string().regex(/^tok_/, { error: (iss) => `not a token: ${String(iss.input)}` })) }),',
      },
      { PAYMENTS_API_KEY: `sk_${hex()}`, SIGNIN_TOKEN: canary },
    );
    assertNoCanary(result, [canary]);
  });

  test('the secrets inside a secret object are masked too', async () => {
    const canary = `pw_${hex()}`;
    const result = await resolveIssues(
      {
        schemaGroups:
          'login: secret(z.object({ user: z.string(), pass: z.string().superRefine((v, ctx) => ctx.addIssue({ code: "custom", message: `weak ${v}` })) })),',
      },
      { PAYMENTS_API_KEY: `sk_${hex()}`, LOGIN_USER: 'admin', LOGIN_PASS: canary },
    );
    assertNoCanary(result, [canary]);
    assert.ok(result.collected.some((i) => i.key === 'login.pass' && /withheld/.test(i.message)));
  });

  test('a refinement of a secret object is reported at that object, its message withheld', async () => {
    const canary = `pw_${hex()}`;
    const result = await resolveIssues(
      {
        schemaGroups:
          'login: secret(z.object({ user: z.string(), pass: z.string() }).refine((v) => v.pass.length > 99, { error: (iss) => `weak ${iss.input.pass.slice(0, 20)}` })),',
      },
      { PAYMENTS_API_KEY: `sk_${hex()}`, LOGIN_USER: 'admin', LOGIN_PASS: canary },
    );
    assertNoCanary(result, [canary, canary.slice(0, 20)]);
    assert.deepEqual(
      result.collected.map((i) => [i.key, i.message]),
      [['login', 'invalid value (secret; message withheld)']],
    );
  });

  test('a whole-object refinement that quotes a secret is scrubbed by value', async () => {
    const canary = `sk_${hex()}`;
    const result = await resolveIssues(
      {
        definition: '',
        schemaGroups:
          'pair: z.object({ a: secret(z.string()), b: z.string() }).refine((v) => v.a === v.b, { error: (iss) => `${iss.input.a} != ${iss.input.b}` }),',
      },
      { PAYMENTS_API_KEY: `sk_${hex()}`, PAIR_A: canary, PAIR_B: 'plain-value' },
    );
    assertNoCanary(result, [canary]);
    assert.ok(
      result.collected.some((i) => i.message.includes('plain-value')),
      'the message is otherwise kept',
    );
  });

  test("a project rule's finding on a secret key does not quote it", async () => {
    const canary = `sk_${hex()}`;
    const result = await resolveIssues(
      {
        definition:
          "rules: [{ name: 'no-test-keys', check: (v) => [{ key: 'payments.apiKey', message: `${v.payments.apiKey} is a test key` }] }],",
      },
      { PAYMENTS_API_KEY: canary },
    );
    assertNoCanary(result, [canary]);
    assert.ok(result.collected.some((i) => i.code === 'EW_RULE_CUSTOM' && i.key === 'payments.apiKey'));
  });
});
