export function AuditPage() {
  return <h2>audit</h2>;
}
