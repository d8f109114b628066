import { expect } from "vitest";
import { ProviderCallError } from "../../src/errors.js";

/** The ProviderCallError a provider call rejects with; fails the test if it resolves or throws anything else. */
export async function callError(p: Promise<unknown>): Promise<ProviderCallError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderCallError);
    return err as ProviderCallError;
  }
  throw new Error("expected the call to fail");
}
