/**
 * Delivering one-time passwords. Production plugs in an SMS gateway behind this interface; the
 * console sender prints the code to the server's terminal for development, and the memory sender
 * keeps it for tests.
 */

export interface OtpSender {
  send(phone: string, code: string): Promise<void>;
}

/** Development: print the code on stderr (never through the structured log). */
export class ConsoleOtpSender implements OtpSender {
  send(phone: string, code: string): Promise<void> {
    process.stderr.write(`[development] OTP for ******${phone.slice(-4)}: ${code}\n`);
    return Promise.resolve();
  }
}

/** Tests: remember the last code sent to each phone. */
export class MemoryOtpSender implements OtpSender {
  readonly sent = new Map<string, string>();

  send(phone: string, code: string): Promise<void> {
    this.sent.set(phone, code);
    return Promise.resolve();
  }
}
