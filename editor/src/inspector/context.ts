import { createContext, useContext } from 'react';
import { emptyCatalog } from '../client/catalog.ts';
import type { Catalog } from '../client/catalog.ts';

/** Templates, segments, attributes and events for the pickers. */
export const CatalogContext = createContext<Catalog>(emptyCatalog);
export const useCatalog = () => useContext(CatalogContext);

/** The kind of the step being edited, so a template picker knows its channel. */
export const NodeKindContext = createContext<string>('');
export const useNodeKind = () => useContext(NodeKindContext);

/** The journey's default locale, for previews. */
export const LocaleContext = createContext<string>('en');
export const useJourneyLocale = () => useContext(LocaleContext);
