/**
 * `kassa` command line: manage merchant accounts on the configured store (same DATABASE_URL as
 * the server). Passwords are printed once at creation and stored only as hashes.
 *   kassa accounts create [--username NAME] [--password SECRET]
 *   kassa accounts list
 *   kassa serve            (same as npm start)
 */
import { Command, InvalidArgumentError } from 'commander';
import { Accounts, generateCredentials } from '../app/accounts.js';
import { cryptoRandom, systemClock } from '../app/ports.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { DuplicateKey } from '../store/port.js';
import { openStore } from '../store/open-store.js';

function config() {
  try {
    return loadConfig(process.env, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kassa: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

function username(value: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,100}$/.test(value)) throw new InvalidArgumentError('letters, digits and _.@- only (1–100)');
  return value;
}

function password(value: string): string {
  if (value.length < 8 || value.length > 200 || /[\u0000-\u001f\u007f]/.test(value)) throw new InvalidArgumentError('8–200 characters, no control characters');
  return value;
}

const program = new Command().name('kassa').description('Kassa: a self-hostable Klarna-compatible payment workflow server');
const accounts = program.command('accounts').description('manage merchant accounts (HTTP Basic credentials)');

accounts
  .command('create')
  .description('create a merchant account and print its credentials once')
  .option('-u, --username <name>', 'username (generated when omitted)', username)
  .option('-p, --password <secret>', 'password (generated when omitted)', password)
  .option('--json', 'print as JSON')
  .action(async (opts: { username?: string; password?: string; json?: boolean }) => {
    const cfg = config();
    const store = openStore(cfg.store);
    try {
      await store.migrate();
      const generated = generateCredentials(cryptoRandom);
      const credentials = { username: opts.username ?? generated.username, password: opts.password ?? generated.password };
      const account = await new Accounts(store, systemClock, cryptoRandom, cfg.mode).create(credentials.username, credentials.password);
      if (opts.json) process.stdout.write(`${JSON.stringify({ account_id: account.id, ...credentials })}\n`);
      else process.stdout.write(`account_id: ${account.id}\nusername:   ${credentials.username}\npassword:   ${credentials.password}\n(the password is shown only now)\n`);
    } catch (error) {
      if (error instanceof DuplicateKey) {
        process.stderr.write(`kassa: an account named ${opts.username} already exists\n`);
        process.exitCode = 1;
      } else throw error;
    } finally {
      await store.close();
    }
  });

accounts
  .command('list')
  .description('list merchant accounts (never their secrets)')
  .option('--json', 'print as JSON')
  .action(async (opts: { json?: boolean }) => {
    const store = openStore(config().store);
    try {
      await store.migrate();
      const rows = (await store.listAccounts()).map((a) => ({ account_id: a.id, username: a.username, created_at: new Date(a.createdAt).toISOString(), sandbox_default: a.isDefault }));
      if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) process.stdout.write(`${r.account_id}  ${r.username}  ${r.created_at}${r.sandbox_default ? '  (sandbox default)' : ''}\n`);
    } finally {
      await store.close();
    }
  });

program
  .command('serve')
  .description('start the server (as npm start; Node flags such as --max-semi-space-size=64 come from NODE_OPTIONS)')
  .action(async () => {
    await import('../main.js');
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A Kassa server that is the only process on its SQLite file holds it while it writes and lets go
  // once idle (src/store/sqlite/exclusive-lock.ts); SQLite's busy timeout waited that long for it.
  if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  process.stderr.write('kassa: the database stayed busy: a running Kassa holds its SQLite file while it writes and lets go when it is idle for a moment; try again then (with KASSA_WORKERS above 1 the file is always shared)\n');
  process.exitCode = 1;
}
