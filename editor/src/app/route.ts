import { useSyncExternalStore } from 'react';

/** The screens of the app, addressed by the URL hash (`#/journeys/welcome`). */
export type Route =
  | { screen: 'journeys' }
  | { screen: 'gallery' }
  | { screen: 'journey'; journeyId: string }
  | { screen: 'campaigns' }
  | { screen: 'tasks' }
  | { screen: 'customers' }
  | { screen: 'customer'; customerId: string }
  | { screen: 'dashboards' };

export type Section = 'journeys' | 'campaigns' | 'tasks' | 'customers' | 'dashboards';

/**
 * Reads a hash into a route; anything unknown is the journeys list.
 *
 * @example parseRoute('#/journeys/win-back') // { screen: 'journey', journeyId: 'win-back' }
 */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first = '', second] = parts;
  switch (first) {
    case 'journeys':
      if (second === 'new') return { screen: 'gallery' };
      return second ? { screen: 'journey', journeyId: second } : { screen: 'journeys' };
    case 'customers':
      return second ? { screen: 'customer', customerId: second } : { screen: 'customers' };
    case 'campaigns':
    case 'tasks':
    case 'dashboards':
      return { screen: first };
    default:
      return { screen: 'journeys' };
  }
}

/** The hash of a route, for links. */
export function routeHref(route: Route): string {
  switch (route.screen) {
    case 'gallery':
      return '#/journeys/new';
    case 'journey':
      return `#/journeys/${encodeURIComponent(route.journeyId)}`;
    case 'customer':
      return `#/customers/${encodeURIComponent(route.customerId)}`;
    case 'journeys':
    case 'campaigns':
    case 'tasks':
    case 'customers':
    case 'dashboards':
      return `#/${route.screen}`;
  }
}

/** The top-navigation section a route belongs to. */
export function sectionOf(route: Route): Section {
  if (route.screen === 'customer') return 'customers';
  return route.screen === 'gallery' || route.screen === 'journey' ? 'journeys' : route.screen;
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current route; re-renders on hash changes. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
