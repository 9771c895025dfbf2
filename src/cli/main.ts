import { Command } from 'commander';
import { registerAppCommand } from './commands/app.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerConfigCommand } from './commands/config.ts';
import { registerDatasetCommand } from './commands/dataset.ts';
import { registerDeptCommand } from './commands/dept.ts';
import { registerKbCommand } from './commands/kb.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerModelCommand } from './commands/model.ts';
import { registerScanCommand } from './commands/scan.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerUserCommand } from './commands/user.ts';

const program = new Command('yumen')
  .description('Yumen (玉门) — the gate between your organisation and every model.\n玉门：组织与大模型之间的关口（数据不出域）。')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((err) => {
    // Usage mistakes exit 2; --help and --version exit 0.
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2);
  });

registerServeCommand(program);
registerKeysCommand(program);
registerScanCommand(program);
registerKbCommand(program);
registerDeptCommand(program);
registerUserCommand(program);
registerModelCommand(program);
registerConfigCommand(program);
registerAuditCommand(program);
registerAppCommand(program);
registerDatasetCommand(program);

await program.parseAsync(process.argv);
