/** ngrok's numbered error code, e.g. `ERR_NGROK_3200`. ngrok's clients match these only. */
export type NgrokCode = `ERR_NGROK_${number}`;

/** One catalogue entry: what the user sees for a code. */
export interface ErrorEntry {
  /** The HTTP status an API response or error page answers with. */
  readonly status: number;
  /** What went wrong and what to do about it; a detail may follow in parentheses. */
  readonly message: string;
  /**
   * ngrok's code for the same case, sent where ngrok's clients look (the API's `error_code`, the
   * code line of an RPC error, `ngrok-error-code` on error pages). Absent when ngrok has none;
   * codes named `ERR_NGROK_<n>` are their own ngrok code and leave it out.
   */
  readonly ngrok?: NgrokCode;
}
