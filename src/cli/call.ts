export async function runCall(_argv: readonly string[]): Promise<number> {
  return 2;
}
