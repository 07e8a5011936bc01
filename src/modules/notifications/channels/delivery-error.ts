/** A failed delivery attempt; `permanent` means a retry cannot help (the row becomes `failed` at once). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
