export function Coming() {
  return <p className="muted">This page is coming.</p>;
}
