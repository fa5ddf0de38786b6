export function RolesPage() {
  return <h2>roles</h2>;
}

export function RoleDetailPage({ roleName }: { roleName: string }) {
  return <h2>{roleName}</h2>;
}
