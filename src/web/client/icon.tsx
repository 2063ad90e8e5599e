/** A page's icon: its emoji, or its image (uploaded, external or a custom emoji). */
import type { Icon } from './api.ts';

export function IconView({ icon, size = 'small' }: { icon: Icon | null; size?: 'small' | 'large' }) {
  if (!icon) return null;
  const className = `page-icon ${size}`;
  if (icon.type === 'emoji') {
    return (
      <span className={className} aria-hidden="true">
        {icon.emoji}
      </span>
    );
  }
  const url = icon.external?.url ?? icon.file?.url ?? icon.custom_emoji?.url;
  return url ? <img className={className} src={url} alt="" /> : null;
}
