export function SettingsPage() {
  return <h2>settings</h2>;
}
