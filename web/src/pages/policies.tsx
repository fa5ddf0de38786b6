export function PoliciesPage() {
  return <h2>policies</h2>;
}

export function PolicyDetailPage({ policyType, policyName }: { policyType: string; policyName: string }) {
  return <h2>{policyType + policyName}</h2>;
}
