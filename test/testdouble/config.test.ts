/** The test-double settings: --memory, OCTAVO_CLOCK, OCTAVO_ID_SEED, OCTAVO_FAULTS, OCTAVO_REQUEST_LOG_SIZE. */
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

it('reads the emulator settings and refuses bad ones naming the variable', () => {
  const config = loadConfig(
    { memory: true },
    {
      OCTAVO_CLOCK: '2026-01-01T00:00:00Z',
      OCTAVO_ID_SEED: 'abc',
      OCTAVO_FAULTS: '[{"route":"/v1/pages/*","status":429,"retry_after":2,"count":1}]',
      OCTAVO_REQUEST_LOG_SIZE: '20',
      OCTAVO_APP_EMULATOR_CONTROLS: '1',
    },
  );
  expect(config.dataDir).toBe(':memory:');
  expect(config.emulator).toEqual({
    clock: '2026-01-01T00:00:00Z',
    idSeed: 'abc',
    faults: [{ route: '/v1/pages/*', status: 429, retry_after: 2, count: 1 }],
    requestLogSize: 20,
    appControls: true,
  });
  expect(loadConfig({}, {}).emulator).toEqual({
    clock: undefined,
    idSeed: undefined,
    faults: [],
    requestLogSize: 1000,
    appControls: false,
  });
  const bad: [Record<string, string>, RegExp][] = [
    [{ OCTAVO_CLOCK: 'tomorrow' }, /OCTAVO_CLOCK must be an ISO time/],
    [{ OCTAVO_FAULTS: '{' }, /OCTAVO_FAULTS must be a JSON array/],
    [{ OCTAVO_FAULTS: '{"status":500}' }, /OCTAVO_FAULTS must be a JSON array/],
    [{ OCTAVO_FAULTS: '[{"status":418}]' }, /OCTAVO_FAULTS\[0\]\.status: must be 429, 500/],
    [
      { OCTAVO_FAULTS: '[{"status":500},{"latency_ms":5,"drop":true}]' },
      /OCTAVO_FAULTS\[1\]: should have exactly one/,
    ],
    [{ OCTAVO_REQUEST_LOG_SIZE: 'many' }, /OCTAVO_REQUEST_LOG_SIZE must be a number/],
    [{ OCTAVO_APP_EMULATOR_CONTROLS: 'yes' }, /OCTAVO_APP_EMULATOR_CONTROLS must be 1\/true/],
  ];
  for (const [env, message] of bad) {
    expect(() => loadConfig({}, env)).toThrow(ConfigError);
    expect(() => loadConfig({}, env)).toThrow(message);
  }
});
