/** Where a command writes: injected so commands are tested without a terminal. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CommandIo = {
  out: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
};
