/** A calendar server answered a write with an unexpected HTTP status. */
export class CalendarWriteError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly statusText: string,
  ) {
    super(`${method} answered ${status}${statusText ? ` ${statusText}` : ''}`);
    this.name = 'CalendarWriteError';
  }
}
