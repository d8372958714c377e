/**
 * A reader of the CLI's output that went away (`portico edge | head`, a supervisor's log pipe
 * closed) ends that output, not the process: Node reports a write to a closed pipe as an EPIPE
 * error on the stream, which nothing else handles and which would otherwise end the edge with
 * its agents and requests. What is written after that is dropped. Any other error on stdout or
 * stderr is thrown as before.
 */
export function outliveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}
