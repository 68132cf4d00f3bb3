import type { Command } from 'commander';
import { openProject } from '../../config/index.js';
import { scanProject } from '../../secrets/index.js';
import { type CommonOptions, outputFor, withCommonOptions } from '../common-options.js';
import { EXIT } from '../exit-codes.js';
import { setExitCode } from '../exit-status.js';

export function registerScanCommand(program: Command): void {
  withCommonOptions(
    program
      .command('scan')
      .description('look for leaked secrets: shared values, plain files, tracked or misplaced keys, weak values'),
  ).action(async (options: CommonOptions) => {
    const output = outputFor(options);
    const project = await openProject(options.cwd);
    const report = await scanProject(project);
    output.result(report, () => {
      const lines = report.findings.map((finding) => `${output.colors.red(finding.code)}  ${finding.message}`);
      const environments = Object.keys(report.secrets);
      const unchecked = environments.filter((name) => !report.strengthChecked.includes(name));
      lines.push(
        `${report.findings.length} finding(s); ${environments.length} environment(s) with secrets` +
          (unchecked.length > 0 ? `; strength not checked without a key here: ${unchecked.join(', ')}` : ''),
      );
      return lines.join('\n');
    });
    if (report.findings.length > 0) setExitCode(EXIT.problem);
  });
}
