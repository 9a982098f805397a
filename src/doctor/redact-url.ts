// A proxy URL as reports may show it: the user name stays (it helps), the password never.
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'REDACTED';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:REDACTED@');
  }
}
