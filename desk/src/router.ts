import { useEffect, useState } from 'react';

/** The desk's base path (the API serves it there). */
export const BASE = '/desk/';

/** Goes to a page of the desk without reloading. */
export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The path of the page shown, relative to /desk/ ("" for the start page). */
export function useRoute(): string {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  return path.startsWith(BASE) ? path.slice(BASE.length).replace(/\/$/, '') : '';
}

/** Click handler of an in-app link: plain clicks navigate in place, modified ones open as usual. */
export function linkTo(to: string) {
  return (event: { preventDefault(): void; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; button: number }) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
}
