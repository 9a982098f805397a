// A button that copies a text to the clipboard and says so (politely, for screen readers too).
import { useEffect, useState } from 'react';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState('');

  useEffect(() => {
    if (!said) return;
    const t = setTimeout(() => setSaid(''), 2500);
    return () => clearTimeout(t);
  }, [said]);

  const copy = () => {
    navigator.clipboard.writeText(text).then(() => setSaid('Copied'), () => setSaid('Copy failed: select the text and copy it'));
  };

  return (
    <span className="copy">
      <button type="button" className="secondary" onClick={copy} aria-label={label}>Copy</button>
      <span className="copy-said" role="status">{said}</span>
    </span>
  );
}
