import type { Session } from '../api';
export function SimulatorPage({ session }: { session: Session }) {
  return <h2>{session.Principal.AccountId}</h2>;
}
