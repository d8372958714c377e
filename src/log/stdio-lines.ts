/**
 * Log lines for process.stdout and process.stderr, gathered and written once per turn of the
 * event loop. Writes to them are synchronous when they are files or pipes, so a busy edge
 * writing its access log a line at a time made a system call per request. Lines still leave in
 * order and within the same turn; whatever is pending is written before the process exits (a
 * SIGKILL loses at most one turn's lines). Any other sink is written to line by line.
 */
type Sink = { write(text: string): unknown };

/** Lines pending beyond this many characters are written at once rather than at the end of the turn. */
const flushAt = 64 * 1024;

const batches = new Map<Sink, Batch>();

export function stdioLines(sink: Sink): Sink {
  if (sink !== process.stdout && sink !== process.stderr) return sink;
  let batch = batches.get(sink);
  if (!batch) {
    if (batches.size === 0) process.on('exit', flushAll);
    batches.set(sink, (batch = new Batch(sink)));
  }
  return batch;
}

function flushAll(): void {
  for (const batch of batches.values()) batch.flush();
}

class Batch {
  private pending: string[] = [];
  private length = 0;
  private scheduled = false;

  constructor(private readonly sink: Sink) {}

  write(line: string): void {
    this.pending.push(line);
    this.length += line.length;
    if (this.length >= flushAt) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      // Unref'd: pending lines never keep a process alive; the exit hook writes them.
      setImmediate(this.flush).unref();
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.length = 0;
    this.sink.write(text);
  };
}
