/**
 * The `octavo` command line. Every command works on the same --data folder or DATABASE_URL
 * whether or not a server is running; --json prints one JSON object for scripts. Failures are one
 * line on stderr and a non-zero exit: 2 for a wrong command line, 1 for a failed action.
 */
import { loadConfig } from '../config.ts';
import {
  checkOptions,
  type OptionName,
  parseCommandLine,
  printResult,
  UsageError,
  type Values,
} from './args.ts';
import { describeFailure } from './errors.ts';
import { commandHelp, HELP, usage } from './help.ts';

interface Command {
  /** Positional arguments after the command's words. */
  args: string[];
  options: readonly OptionName[];
  /** Loaded on use, so `--help` and usage mistakes answer without loading the server. */
  run(values: Values, args: string[]): Promise<void>;
}

const STORAGE = ['data', 'json'] as const;

const COMMANDS: Record<string, Command> = {
  serve: {
    args: [],
    options: ['port', 'host', 'data', 'rate-limit', 'memory', 'fixture'],
    run: async (v) => (await import('./commands/serve.ts')).serveCommand(v),
  },
  jobs: {
    args: [],
    options: ['data'],
    run: async (v) => (await import('./commands/jobs.ts')).jobsCommand(v),
  },
  migrate: { args: [], options: STORAGE, run: migrateCommand },
  'integration create': {
    args: [],
    options: [...STORAGE, 'name', 'capabilities', 'public', 'redirect-uri'],
    run: async (v) => (await import('./commands/integration.ts')).integrationCreateCommand(v),
  },
  'integration list': {
    args: [],
    options: [...STORAGE, 'public'],
    run: async (v) => (await import('./commands/integration.ts')).integrationListCommand(v),
  },
  'integration update': {
    args: ['NAME'],
    options: [...STORAGE, 'name', 'capabilities'],
    run: async (v, a) => (await import('./commands/integration.ts')).integrationUpdateCommand(v, a),
  },
  'integration revoke': {
    args: ['NAME'],
    options: STORAGE,
    run: async (v, a) => (await import('./commands/integration.ts')).integrationRevokeCommand(v, a),
  },
  'integration rotate': {
    args: ['NAME'],
    options: [...STORAGE, 'public'],
    run: async (v, a) => (await import('./commands/integration.ts')).integrationRotateCommand(v, a),
  },
  'integration delete': {
    args: ['NAME'],
    options: [...STORAGE, 'public'],
    run: async (v, a) => (await import('./commands/integration.ts')).integrationDeleteCommand(v, a),
  },
  'user create': {
    args: [],
    options: [...STORAGE, 'name', 'email', 'password', 'password-stdin', 'admin'],
    run: async (v) => (await import('./commands/user.ts')).userCreateCommand(v),
  },
  'user invite': {
    args: [],
    options: [...STORAGE, 'email', 'admin', 'days'],
    run: async (v) => (await import('./commands/user.ts')).userInviteCommand(v),
  },
  'user role': {
    args: [],
    options: [...STORAGE, 'email', 'role'],
    run: async (v) => (await import('./commands/user.ts')).userRoleCommand(v),
  },
  'user password': {
    args: [],
    options: [...STORAGE, 'email', 'password', 'password-stdin'],
    run: async (v) => (await import('./commands/user.ts')).userPasswordCommand(v),
  },
  'page create': {
    args: [],
    options: [...STORAGE, 'title', 'parent', 'share'],
    run: async (v) => (await import('./commands/page.ts')).pageCreateCommand(v),
  },
  share: {
    args: ['PAGE_ID'],
    options: [...STORAGE, 'with'],
    run: async (v, a) => (await import('./commands/page.ts')).shareCommand(v, a),
  },
  'rows import': {
    args: [],
    options: [...STORAGE, 'data-source', 'file', 'batch'],
    run: async (v) => (await import('./commands/rows.ts')).rowsImportCommand(v),
  },
  'events tail': {
    args: [],
    options: [...STORAGE, 'after'],
    run: async (v) => (await import('./commands/events.ts')).eventsTailCommand(v),
  },
  ...webhookCommands(),
  ...testDoubleCommands(),
  'emoji add': {
    args: ['NAME', 'FILE'],
    options: STORAGE,
    run: async (v, a) => (await import('./commands/emoji.ts')).emojiAddCommand(v, a),
  },
  'template add': {
    args: ['DATA_SOURCE_ID'],
    options: [...STORAGE, 'name', 'from', 'default'],
    run: async (v, a) => (await import('./commands/emoji.ts')).templateAddCommand(v, a),
  },
  ...automationCommands(),
  backup: {
    args: [],
    options: [...STORAGE, 'to'],
    run: async (v) => (await import('./commands/backup.ts')).backupCommand(v),
  },
  restore: {
    args: ['FILE'],
    options: STORAGE,
    run: async (v, a) => (await import('./commands/backup.ts')).restoreCommand(v, a),
  },
  'admin token': {
    args: [],
    options: STORAGE,
    run: adminTokenCommand,
  },
};

/** `webhook …`: one entry per subcommand, each loading commands/webhook.ts on use. */
function webhookCommands(): Record<string, Command> {
  const load = () => import('./commands/webhook.ts');
  const cmd = (args: string[], options: readonly OptionName[], run: Command['run']): Command => ({
    args,
    options: [...STORAGE, ...options],
    run,
  });
  return {
    'webhook create': cmd([], ['integration', 'url', 'events', 'api-version'], async (v) =>
      (await load()).webhookCreateCommand(v),
    ),
    'webhook list': cmd([], ['integration'], async (v) => (await load()).webhookListCommand(v)),
    'webhook update': cmd(['ID'], ['events'], async (v, a) => (await load()).webhookUpdateCommand(v, a)),
    'webhook delete': cmd(['ID'], [], async (v, a) => (await load()).webhookDeleteCommand(v, a)),
    'webhook verify': cmd(['ID', 'TOKEN'], [], async (v, a) => (await load()).webhookVerifyCommand(v, a)),
    'webhook pause': cmd(['ID'], ['reason'], async (v, a) => (await load()).webhookPauseCommand(v, a)),
    'webhook resume': cmd(['ID'], [], async (v, a) => (await load()).webhookResumeCommand(v, a)),
    'webhook deliveries': cmd(['[SUBSCRIPTION_ID]'], ['limit'], async (v, a) =>
      (await load()).webhookDeliveriesCommand(v, a),
    ),
    'webhook replay': cmd(['DELIVERY_ID'], [], async (v, a) => (await load()).webhookReplayCommand(v, a)),
    'webhook listen': cmd([], ['integration', 'events', 'api-version', 'forward-to'], async (v) =>
      (await load()).webhookListenCommand(v),
    ),
  };
}

/** `automation …`: one entry per subcommand, each loading commands/automation.ts on use. */
function automationCommands(): Record<string, Command> {
  const load = () => import('./commands/automation.ts');
  const cmd = (args: string[], options: readonly OptionName[], run: Command['run']): Command => ({
    args,
    options: [...STORAGE, ...options],
    run,
  });
  return {
    'automation create': cmd([], ['file'], async (v) => (await load()).automationCreateCommand(v)),
    'automation list': cmd([], [], async (v) => (await load()).automationListCommand(v)),
    'automation enable': cmd(['NAME'], [], async (v, a) =>
      (await load()).automationToggleCommand(true)(v, a),
    ),
    'automation disable': cmd(['NAME'], [], async (v, a) =>
      (await load()).automationToggleCommand(false)(v, a),
    ),
    'automation delete': cmd(['NAME'], [], async (v, a) => (await load()).automationDeleteCommand(v, a)),
    'automation run': cmd(['NAME'], ['input', 'dry-run'], async (v, a) =>
      (await load()).automationRunCommand(v, a),
    ),
    'automation retry': cmd(['RUN_ID'], [], async (v, a) => (await load()).automationRetryCommand(v, a)),
    'automation runs': cmd(['[NAME]'], ['limit'], async (v, a) => (await load()).automationRunsCommand(v, a)),
    'script run': cmd(['FILE'], ['input', 'name', 'timeout-ms', 'memory-mb'], async (v, a) =>
      (await import('./commands/script.ts')).scriptRunCommand(v, a),
    ),
    'script runs': cmd(['[NAME]'], ['limit'], async (v, a) =>
      (await import('./commands/script.ts')).scriptRunsCommand(v, a),
    ),
    'workers deploy': cmd(['DIR'], ['name', 'parent', 'attach', 'env'], async (v, a) =>
      (await import('./commands/workers.ts')).workersDeployCommand(v, a),
    ),
    'workers list': cmd([], [], async (v) => (await import('./commands/workers.ts')).workersListCommand(v)),
    'workers run': cmd(['NAME', 'CAPABILITY'], ['input'], async (v, a) =>
      (await import('./commands/workers.ts')).workersRunCommand(v, a),
    ),
    'workers logs': cmd(['NAME'], ['limit'], async (v, a) =>
      (await import('./commands/workers.ts')).workersLogsCommand(v, a),
    ),
    'workers remove': cmd(['NAME'], [], async (v, a) =>
      (await import('./commands/workers.ts')).workersRemoveCommand(v, a),
    ),
  };
}

/** Octavo as a test double: seed, reset, snapshots, faults, clock, requests, fixture export. */
function testDoubleCommands(): Record<string, Command> {
  const remote = ['url', 'admin-token', 'json'] as const;
  const local = [...STORAGE, 'url', 'admin-token'] as const;
  const seed = () => import('./commands/seed.ts');
  const faults = () => import('./commands/faults.ts');
  return {
    seed: { args: ['FILE'], options: local, run: async (v, a) => (await seed()).seedCommand(v, a) },
    reset: { args: [], options: local, run: async (v) => (await seed()).resetCommand(v) },
    'snapshot save': {
      args: ['NAME'],
      options: local,
      run: async (v, a) => (await seed()).snapshotSaveCommand(v, a),
    },
    'snapshot restore': {
      args: ['NAME'],
      options: local,
      run: async (v, a) => (await seed()).snapshotRestoreCommand(v, a),
    },
    'snapshot list': { args: [], options: local, run: async (v) => (await seed()).snapshotListCommand(v) },
    'snapshot delete': {
      args: ['NAME'],
      options: local,
      run: async (v, a) => (await seed()).snapshotDeleteCommand(v, a),
    },
    'fault add': {
      args: [],
      options: [
        ...remote,
        'route',
        'method',
        'integration',
        'probability',
        'count',
        'status',
        'retry-after',
        'latency',
        'drop',
      ],
      run: async (v) => (await faults()).faultAddCommand(v),
    },
    'fault list': { args: [], options: remote, run: async (v) => (await faults()).faultListCommand(v) },
    'fault clear': { args: [], options: remote, run: async (v) => (await faults()).faultClearCommand(v) },
    clock: {
      args: [],
      options: [...remote, 'set', 'advance'],
      run: async (v) => (await faults()).clockCommand(v),
    },
    requests: {
      args: [],
      options: [...remote, 'integration', 'status', 'limit', 'follow'],
      run: async (v) => (await import('./commands/requests.ts')).requestsCommand(v),
    },
    'fixture export': {
      args: [],
      options: ['from', 'token', 'out'],
      run: async (v) => (await import('./commands/fixture.ts')).fixtureExportCommand(v),
    },
  };
}

/** `admin token`: a new admin token, printed once; the previous one stops working. */
async function adminTokenCommand(values: Values): Promise<void> {
  const { withStore } = await import('./context.ts');
  const { issueAdminToken } = await import('../ops/admin-token.ts');
  await withStore(values, async (store) => {
    const token = await store.transaction((tx) => issueAdminToken(tx));
    printResult(
      values,
      { admin_token: token },
      [`admin token: ${token}`, 'Shown only now; the previous admin token no longer works.'].join('\n'),
    );
  });
}

async function migrateCommand(values: Values): Promise<void> {
  const { withStore } = await import('./context.ts');
  await withStore(values, async () =>
    printResult(values, { ok: true }, 'The database is at the latest schema.'),
  );
}

/** Finds the command named by the first one or two words; the rest are its arguments. */
function resolve(positionals: string[]): { name: string; command: Command; args: string[] } {
  const [first, second] = positionals;
  const two = `${first} ${second}`;
  if (COMMANDS[two]) return { name: two, command: COMMANDS[two], args: positionals.slice(2) };
  if (first && COMMANDS[first]) return { name: first, command: COMMANDS[first], args: positionals.slice(1) };
  const known = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
  if (known.length > 0 && !second) throw new UsageError(`${first} needs a subcommand: ${known.join(', ')}`);
  if (known.length > 0)
    throw new UsageError(`unknown command: ${first} ${second}; known: ${known.join(', ')}`);
  throw new UsageError(`unknown command: ${first}`);
}

/** `help [COMMAND]` and `COMMAND --help`: the command's own usage, or the list. */
function printHelp(words: string[]): void {
  if (words.length === 0) {
    console.log(usage(Object.keys(COMMANDS)));
    return;
  }
  const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${words[0]} `));
  if (!COMMANDS[words.slice(0, 2).join(' ')] && !COMMANDS[words[0]!] && group.length > 0) {
    console.log(group.map((n) => `usage: octavo ${HELP[n]?.usage ?? n}`).join('\n'));
    return;
  }
  console.log(commandHelp(resolve(words).name));
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.version) {
    const { octavoVersion } = await import('../lib/version.ts');
    console.log(`octavo ${octavoVersion()} (Node ${process.versions.node})`);
    return;
  }
  if (positionals[0] === 'help') return printHelp(positionals.slice(1));
  if (values.help || positionals.length === 0) return printHelp(positionals);
  const { name, command, args } = resolve(positionals);
  checkOptions(name, values, command.options);
  // An argument written [LIKE_THIS] may be left out.
  const needed = command.args.filter((a) => !a.startsWith('[')).length;
  if (args.length < needed) throw new UsageError(`${name} needs ${command.args.join(' ')}`);
  if (args.length > command.args.length)
    throw new UsageError(`unexpected argument ${args[command.args.length]}`);
  loadConfig(values); // flags and environment fail fast, before the server code is loaded
  await command.run(values, args);
}

/** Runs the CLI; errors become one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (e) {
    const failure = describeFailure(e);
    console.error(`octavo: ${failure.message}`);
    if (process.env.OCTAVO_DEBUG && e instanceof Error && e.stack) console.error(e.stack);
    process.exitCode = failure.exitCode;
  }
}
