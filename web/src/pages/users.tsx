export function UsersPage() {
  return <h2>users</h2>;
}

export function UserDetailPage({ userName }: { userName: string }) {
  return <h2>{userName}</h2>;
}
