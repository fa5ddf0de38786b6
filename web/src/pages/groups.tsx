export function GroupsPage() {
  return <h2>groups</h2>;
}

export function GroupDetailPage({ groupName }: { groupName: string }) {
  return <h2>{groupName}</h2>;
}
