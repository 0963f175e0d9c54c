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
  | { screen: 'dashboards' }
  | { screen: 'templates' }
  /** A template to edit; `copy` opens a duplicate of it to save under a new id. */
  | { screen: 'template'; templateId: string; copy?: boolean }
  | { screen: 'newTemplate'; channel: 'email' | 'sms' }
  | { screen: 'segments' }
  /** A segment to edit; `null` is a new one. */
  | { screen: 'segment'; segmentId: string | null };

export type Section = 'journeys' | 'campaigns' | 'tasks' | 'customers' | 'templates' | 'segments' | 'dashboards';

/**
 * Reads a hash into a route; anything unknown is the journeys list.
 *
 * @example parseRoute('#/journeys/win-back') // { screen: 'journey', journeyId: 'win-back' }
 */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first = '', second, third] = parts;
  switch (first) {
    case 'journeys':
      if (second === 'new') return { screen: 'gallery' };
      return second ? { screen: 'journey', journeyId: second } : { screen: 'journeys' };
    case 'customers':
      return second ? { screen: 'customer', customerId: second } : { screen: 'customers' };
    case 'templates':
      if (second === 'new') return { screen: 'newTemplate', channel: third === 'sms' ? 'sms' : 'email' };
      if (!second) return { screen: 'templates' };
      return third === 'copy' ? { screen: 'template', templateId: second, copy: true } : { screen: 'template', templateId: second };
    case 'segments':
      if (!second) return { screen: 'segments' };
      return { screen: 'segment', segmentId: second === 'new' ? null : second };
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
    case 'template':
      return `#/templates/${encodeURIComponent(route.templateId)}${route.copy ? '/copy' : ''}`;
    case 'newTemplate':
      return `#/templates/new/${route.channel}`;
    case 'segment':
      return `#/segments/${route.segmentId === null ? 'new' : encodeURIComponent(route.segmentId)}`;
    case 'templates':
    case 'segments':
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
  if (route.screen === 'template' || route.screen === 'newTemplate') return 'templates';
  if (route.screen === 'segment') return 'segments';
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
