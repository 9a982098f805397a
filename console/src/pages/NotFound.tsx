// An address under /console/ that names no page: said in words, with the way back, rather than
// showing another page as if it were the one asked for.
import { BASE, NAV } from '../nav';

export function NotFound() {
  const home = NAV[0];
  return (
    <div className="not-found">
      <p role="status">There is no console page at <code>{location.pathname}</code>.</p>
      <p><a href={BASE}>Go to {home?.label ?? 'the console'}</a></p>
    </div>
  );
}
