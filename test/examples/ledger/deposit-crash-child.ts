/**
 * A ledger process killed with SIGKILL in the middle of a deposit, as a
 * power cut or an OOM kill would: `before-collect` after the pending deposit
 * is recorded, `after-collect` after the provider collected and before the
 * deposit is booked.
 *   node --import tsx deposit-crash-child.ts <database url> <account> <key> <provider file> <where>
 */
import { deposits } from '../../../examples/ledger/src/deposits.ts';
import { openLedger } from '../../../examples/ledger/src/open-ledger.ts';
import { fileProvider } from './file-provider.ts';

const [url, account, key, file, where] = process.argv.slice(2) as [string, string, string, string, string];
const kill = () => process.kill(process.pid, 'SIGKILL');
const runtime = await openLedger({ env: 'test', variables: { DATABASE_URL: url }, seed: false });
const gateway = fileProvider(file, {
  ...(where === 'after-collect' ? { afterCollect: kill } : {}),
  ...(where === 'before-collect'
    ? {
        answer: () => {
          kill();
          return 'collect' as const;
        },
      }
    : {}),
});
const nextId = (kind: 'dep' | 'txn') => runtime.store.ids.next(kind);
await deposits(runtime.store.db, runtime.ledger, gateway, { nextId }).deposit(account, '4200', {
  client: 'crash',
  key,
});
process.stderr.write('the deposit finished: the kill did not happen\n');
process.exit(2);
