/** The API key the editor sends as `Authorization: Bearer <key>`, kept in localStorage. */
const storageKey = 'waymark.apiKey';

export function loadApiKey(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export function saveApiKey(key: string): void {
  localStorage.setItem(storageKey, key.trim());
}

export function clearApiKey(): void {
  localStorage.removeItem(storageKey);
}
