/**
 * `yumen scan` alone: bin/yumen.js starts here for the scan command so that a scan over a file does not
 * first load the server, the database drivers and the inference engine (≈ 2 s of CPU on this machine).
 */
import { Command } from 'commander';
import { registerScanCommand } from './commands/scan.ts';

const program = new Command('yumen')
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2);
  });
registerScanCommand(program);
await program.parseAsync(process.argv);
