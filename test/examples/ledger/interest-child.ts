/**
 * One instance of the ledger accruing one day, as a process of its own:
 * prints the accrual's result as JSON.
 *   node --import tsx interest-child.ts <database url> <day> [lease]
 */
import { accrueUnderLease } from '../../../examples/ledger/src/interest-accrual.ts';
import { openLedger } from '../../../examples/ledger/src/open-ledger.ts';

const [url, day, lease] = process.argv.slice(2) as [string, string, string | undefined];
const runtime = await openLedger({ env: 'test', variables: { DATABASE_URL: url }, seed: false });
try {
  const result =
    lease === 'lease'
      ? await accrueUnderLease(runtime.store, runtime.interest, day, 150)
      : await runtime.interest.accrue(day, 150);
  process.stdout.write(`${JSON.stringify(result ?? null)}\n`);
} finally {
  await runtime.close();
}
