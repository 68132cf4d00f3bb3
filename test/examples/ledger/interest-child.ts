/**
 * One instance of the ledger accruing one day, as a process of its own:
 * prints the accrual's result as JSON.
 *   node --import tsx interest-child.ts <database url> <day>
 */
import { openLedger } from '../../../examples/ledger/src/open-ledger.ts';

const [url, day] = process.argv.slice(2) as [string, string];
const runtime = await openLedger({ env: 'test', variables: { DATABASE_URL: url }, seed: false });
try {
  const result = await runtime.interest.accrue(day, 150);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await runtime.close();
}
