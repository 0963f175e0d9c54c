/**
 * Console preferences kept in this browser: who the agent is (for claiming tasks) and the
 * shop's currency (customer values carry no currency of their own).
 */
const operatorKey = 'waymark.operatorName';
const currencyKey = 'waymark.currency';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function loadOperatorName(): string {
  return read(operatorKey) ?? '';
}

export function saveOperatorName(name: string): void {
  localStorage.setItem(operatorKey, name.trim());
}

/** The shop's ISO 4217 currency; USD unless set (`localStorage['waymark.currency']`). */
export function shopCurrency(): string {
  const stored = read(currencyKey);
  return stored !== null && /^[A-Z]{3}$/.test(stored) ? stored : 'USD';
}
