import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  buildEnvironmentCatalogue,
  type DetectionInput,
  detectEnvironment,
  MARKER_FILE,
} from '../../src/environment/index.ts';
import { EnvConflictError, EnvNameError, EnvUnknownError, resolveConfig } from '../../src/index.ts';
import { makeTempProject, secretVariables, type TempProject, writeStandardProject } from '../support/temp-project.ts';

const catalogue = buildEnvironmentCatalogue({
  qa: { tier: 'staging' },
  'eu-production': { tier: 'production', code: 'EUP', hosts: ['*.eu.prod.example.com'] },
  development: { hosts: ['*.dev.local'] },
  production: { hosts: ['app-*.prod.example.com'] },
});

const temps: TempProject[] = [];
after(() => {
  for (const temp of temps) temp.cleanup();
});

/** A project root with no marker file. */
function emptyRoot(): string {
  const temp = makeTempProject();
  temps.push(temp);
  return temp.dir;
}

/** A project root whose marker file holds `content`. */
function rootWithMarker(content: string): string {
  const temp = makeTempProject({ [MARKER_FILE]: content });
  temps.push(temp);
  return temp.dir;
}

function detect(overrides: Partial<DetectionInput>) {
  return detectEnvironment({
    catalogue,
    variables: {},
    projectRoot: emptyRoot(),
    hostname: 'unrelated-host',
    ...overrides,
  });
}

function assertCode(code: string, run: () => unknown, ErrorClass?: new (...args: never[]) => Error) {
  assert.throws(run, (error: unknown) => {
    if (ErrorClass) assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(error)}`);
    assert.equal((error as { code?: string }).code, code);
    return true;
  });
}

describe('detection order', () => {
  // Every signal is present: each step removes the winning one and checks the next takes over.
  const allSignals = {
    option: 'test',
    variables: { ENVWARD_ENV: 'staging', APP_ENV: 'qa', NODE_ENV: 'production' },
    marker: 'eu-production\n',
    hostname: 'build-1.dev.local',
  };

  test('the explicit option wins over every other signal', () => {
    const detection = detect({
      option: allSignals.option,
      variables: allSignals.variables,
      projectRoot: rootWithMarker(allSignals.marker),
      hostname: allSignals.hostname,
    });
    assert.equal(detection.environment.name, 'test');
    assert.deepEqual(detection.source, { kind: 'option', detail: '--env' });
  });

  test('ENVWARD_ENV wins over APP_ENV and the marker file naming the same environment, and over host patterns', () => {
    const detection = detect({
      variables: { ENVWARD_ENV: 'staging', APP_ENV: 'staging', NODE_ENV: 'production' },
      projectRoot: rootWithMarker('staging\n'),
      hostname: allSignals.hostname,
    });
    assert.equal(detection.environment.name, 'staging');
    assert.deepEqual(detection.source, { kind: 'ENVWARD_ENV', detail: 'ENVWARD_ENV=staging' });
  });

  test('APP_ENV wins over the marker file naming the same environment, and over host patterns', () => {
    const detection = detect({
      variables: { APP_ENV: 'qa', NODE_ENV: 'production' },
      projectRoot: rootWithMarker('qa\n'),
      hostname: allSignals.hostname,
    });
    assert.equal(detection.environment.name, 'qa');
    assert.deepEqual(detection.source, { kind: 'APP_ENV', detail: 'APP_ENV=qa' });
  });

  test('the marker file (its first line, trimmed) wins over host patterns', () => {
    const root = rootWithMarker('  eu-production  \r\nstaging\n');
    const detection = detect({ projectRoot: root, hostname: allSignals.hostname });
    assert.equal(detection.environment.name, 'eu-production');
    assert.equal(detection.source.kind, 'marker-file');
    assert.equal(detection.source.detail, join(root, MARKER_FILE));
  });

  test('host patterns decide when no variable or marker is set, case-insensitively', () => {
    const detection = detect({ hostname: 'Build-1.DEV.local' });
    assert.equal(detection.environment.name, 'development');
    assert.deepEqual(detection.source, {
      kind: 'host-pattern',
      detail: 'host Build-1.DEV.local matches *.dev.local',
    });

    const eu = detect({ hostname: 'web-3.eu.prod.example.com' });
    assert.equal(eu.environment.name, 'eu-production');
    assert.equal(eu.source.kind, 'host-pattern');
    assert.match(eu.source.detail, /matches \*\.eu\.prod\.example\.com$/);

    const prod = detect({ hostname: 'app-7.prod.example.com' });
    assert.equal(prod.environment.name, 'production');
    assert.equal(prod.source.kind, 'host-pattern');
  });

  test('with no signal at all the default is development', () => {
    const detection = detect({});
    assert.equal(detection.environment.name, 'development');
    assert.deepEqual(detection.source, { kind: 'default', detail: 'no signal set' });
  });

  test('a host matching no pattern falls through to the default', () => {
    const detection = detect({ hostname: 'app-7.staging.example.com' });
    assert.equal(detection.source.kind, 'default');
    assert.equal(detection.environment.name, 'development');
  });
});

describe('told signals that disagree', () => {
  function assertConflict(overrides: Partial<DetectionInput>, named: RegExp[]): void {
    assert.throws(
      () => detect(overrides),
      (error: unknown) => {
        assert.ok(error instanceof EnvConflictError, `expected EnvConflictError, got ${String(error)}`);
        assert.equal(error.code, 'EW_ENV_CONFLICT');
        assert.equal(error.kind, 'refused');
        for (const name of named) assert.match(error.message, name);
        return true;
      },
    );
  }

  test('ENVWARD_ENV=production with APP_ENV=staging is EW_ENV_CONFLICT naming both', () => {
    assertConflict({ variables: { ENVWARD_ENV: 'production', APP_ENV: 'staging' } }, [
      /ENVWARD_ENV=production/,
      /APP_ENV=staging/,
    ]);
  });

  test('a variable and the marker file that disagree are EW_ENV_CONFLICT', () => {
    assertConflict({ variables: { APP_ENV: 'qa' }, projectRoot: rootWithMarker('production\n') }, [
      /APP_ENV=qa/,
      /\.envward-environment says "production"/,
    ]);
  });

  test('a disagreement is a conflict even when one of the names is not a known environment', () => {
    assertConflict({ variables: { ENVWARD_ENV: 'production', APP_ENV: 'local' } }, [/APP_ENV=local/]);
  });

  test('told signals that agree are accepted', () => {
    const detection = detect({
      variables: { ENVWARD_ENV: 'qa', APP_ENV: 'qa' },
      projectRoot: rootWithMarker('qa\n'),
    });
    assert.equal(detection.environment.name, 'qa');
    assert.deepEqual(detection.overruled, []);
  });

  test('the explicit option decides a conflict and reports the signals it overruled', () => {
    const detection = detect({
      option: 'staging',
      variables: { ENVWARD_ENV: 'production', APP_ENV: 'staging' },
      projectRoot: rootWithMarker('qa\n'),
    });
    assert.equal(detection.environment.name, 'staging');
    assert.deepEqual(
      detection.overruled.map((signal) => [signal.kind, signal.name]),
      [
        ['ENVWARD_ENV', 'production'],
        ['marker-file', 'qa'],
      ],
    );
  });

  test('a host pattern that disagrees with a variable is not a conflict here (the host check decides)', () => {
    const detection = detect({ variables: { ENVWARD_ENV: 'production' }, hostname: 'build-1.dev.local' });
    assert.equal(detection.environment.name, 'production');
    assert.equal(detection.source.kind, 'ENVWARD_ENV');
  });
});

describe('NODE_ENV', () => {
  test('NODE_ENV=production alone is not taken: the environment stays development', () => {
    const detection = detect({ variables: { NODE_ENV: 'production' } });
    assert.equal(detection.environment.name, 'development');
    assert.equal(detection.source.kind, 'default');
  });

  test('NODE_ENV does not change what ENVWARD_ENV decided', () => {
    const detection = detect({ variables: { NODE_ENV: 'production', ENVWARD_ENV: 'test' } });
    assert.equal(detection.environment.name, 'test');
  });
});

describe('set but empty signals are errors, not skipped', () => {
  test('an empty ENVWARD_ENV is EW_ENV_NAME (not a conflict) even when APP_ENV is set', () => {
    assertCode('EW_ENV_NAME', () => detect({ variables: { ENVWARD_ENV: '', APP_ENV: 'staging' } }), EnvNameError);
  });

  test('an empty APP_ENV is EW_ENV_NAME', () => {
    assertCode('EW_ENV_NAME', () => detect({ variables: { APP_ENV: '' } }), EnvNameError);
  });

  test('an empty --env option is EW_ENV_NAME', () => {
    assertCode('EW_ENV_NAME', () => detect({ option: '' }), EnvNameError);
  });

  test('an empty marker file is EW_ENV_NAME', () => {
    assertCode('EW_ENV_NAME', () => detect({ projectRoot: rootWithMarker('\n') }), EnvNameError);
  });
});

describe('environment names', () => {
  const tooLong = `a${'b'.repeat(40)}`;
  const badNames = ['Prod', 'a/b', '..', tooLong, '-staging', 'qa ', 'stag_ing'];

  for (const name of badNames) {
    test(`${JSON.stringify(name)} is refused with EW_ENV_NAME (kind usage)`, () => {
      for (const source of [{ option: name }, { variables: { ENVWARD_ENV: name } }, { variables: { APP_ENV: name } }]) {
        assert.throws(
          () => detect(source),
          (error: unknown) => {
            assert.ok(error instanceof EnvNameError);
            assert.equal(error.code, 'EW_ENV_NAME');
            assert.equal(error.kind, 'usage');
            assert.equal(error.details.name, name);
            return true;
          },
        );
      }
    });
  }

  test('a bad name in the marker file is EW_ENV_NAME', () => {
    assertCode('EW_ENV_NAME', () => detect({ projectRoot: rootWithMarker('../production\n') }), EnvNameError);
  });

  test('41 characters is one too many; 40 is accepted', () => {
    assert.equal(tooLong.length, 41);
    const forty = `a${'b'.repeat(39)}`;
    const withLong = buildEnvironmentCatalogue({ [forty]: { tier: 'development', code: 'LNG' } });
    const detection = detectEnvironment({
      catalogue: withLong,
      option: forty,
      variables: {},
      projectRoot: emptyRoot(),
      hostname: 'h',
    });
    assert.equal(detection.environment.name, forty);
    assertCode('EW_ENV_NAME', () => buildEnvironmentCatalogue({ [tooLong]: { tier: 'development' } }), EnvNameError);
  });
});

describe('unknown environments', () => {
  test('an unknown name is EW_ENV_UNKNOWN and the error lists the known ones', () => {
    assert.throws(
      () => detect({ variables: { ENVWARD_ENV: 'prod' } }),
      (error: unknown) => {
        assert.ok(error instanceof EnvUnknownError);
        assert.equal(error.code, 'EW_ENV_UNKNOWN');
        assert.equal(error.kind, 'usage');
        assert.deepEqual(error.details.known, ['development', 'test', 'staging', 'production', 'qa', 'eu-production']);
        for (const known of catalogue.names) assert.ok(error.message.includes(known), `message names ${known}`);
        assert.match(error.message, /"prod"/);
        assert.match(error.message, /ENVWARD_ENV/);
        return true;
      },
    );
  });

  test('an unknown name in the option or marker file is EW_ENV_UNKNOWN too', () => {
    assertCode('EW_ENV_UNKNOWN', () => detect({ option: 'preview' }), EnvUnknownError);
    assertCode('EW_ENV_UNKNOWN', () => detect({ projectRoot: rootWithMarker('preview\n') }), EnvUnknownError);
  });
});

describe('detection through resolveConfig', () => {
  test('resolveConfig reports the deciding source and ignores NODE_ENV', async (t) => {
    const project = writeStandardProject();
    t.after(() => project.cleanup());
    const base = { cwd: project.dir, hostname: 'h' } as const;

    const byDefault = await resolveConfig({ ...base, variables: { NODE_ENV: 'production' } });
    assert.equal(byDefault.environment.name, 'development');
    assert.equal(byDefault.detection.kind, 'default');

    const byVariable = await resolveConfig({ ...base, variables: { APP_ENV: 'qa', ...secretVariables('qa') } });
    assert.equal(byVariable.environment.name, 'qa');
    assert.deepEqual(byVariable.detection, { kind: 'APP_ENV', detail: 'APP_ENV=qa' });

    const byOption = await resolveConfig({ ...base, env: 'test', variables: { ENVWARD_ENV: 'qa' } });
    assert.equal(byOption.environment.name, 'test');
    assert.deepEqual(byOption.detection, { kind: 'option', detail: '--env' });

    project.write(MARKER_FILE, 'staging\n');
    const byMarker = await resolveConfig({ ...base, variables: secretVariables('staging') });
    assert.equal(byMarker.environment.name, 'staging');
    assert.deepEqual(byMarker.detection, { kind: 'marker-file', detail: join(project.dir, MARKER_FILE) });
  });
});
