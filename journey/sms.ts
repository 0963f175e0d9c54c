/** How an SMS body is billed: its encoding, length in that encoding, and number of parts. */
export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets for GSM-7 (extension characters such as `€` count two), UTF-16 units for UCS-2. */
  characters: number;
  segments: number;
}

const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const gsmExtension = new Set('\f^{}\\[~]|€');

/** Packs unit costs into parts of `capacity` without splitting one character across parts. */
function countParts(costs: readonly number[], capacity: number): number {
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > capacity) {
      parts++;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

/**
 * Counts the SMS parts a body is sent as: GSM-7 fits 160 septets in one part (153 per part when
 * split); anything outside GSM-7, such as Chinese or emoji, switches the whole message to UCS-2
 * with 70 units (67 per part when split).
 *
 * @example smsSegments('Hi Ana, 20% off today') // { encoding: 'GSM-7', characters: 21, segments: 1 }
 * @example smsSegments('生日快乐！') // { encoding: 'UCS-2', characters: 5, segments: 1 }
 */
export function smsSegments(body: string): SmsSegments {
  const chars = Array.from(body);
  const gsm = chars.every((c) => gsmBasic.has(c) || gsmExtension.has(c));
  const costs = gsm ? chars.map((c) => (gsmExtension.has(c) ? 2 : 1)) : chars.map((c) => c.length);
  const characters = costs.reduce((sum, cost) => sum + cost, 0);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const segments = characters === 0 ? 0 : characters <= single ? 1 : countParts(costs, multi);
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', characters, segments };
}

/**
 * How Aliyun SMS bills a mainland message: every character counts one (Chinese, Latin, digits,
 * punctuation and spaces alike), the signature 【signName】 included; up to 70 characters is one
 * message, a longer one is billed per 67 characters.
 *
 * @example aliyunSmsBilling('您的会员日优惠已到账 拒收请回复R', '好店') // { characters: 21, segments: 1 }
 */
export function aliyunSmsBilling(text: string, signName: string): { characters: number; segments: number } {
  const characters = Array.from(`【${signName}】${text}`).length;
  return { characters, segments: characters <= 70 ? 1 : Math.ceil(characters / 67) };
}

/** The number as Aliyun's mainland calls take it: 11 digits for +86, otherwise the digits with their country code. */
export function aliyunNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** A customer's reply as Aliyun reports it (`13800000000`) in E.164, as profiles store numbers. */
export function e164FromAliyun(number: string): string {
  const digits = number.replace(/[^0-9]/g, '');
  if (/^1[3-9][0-9]{9}$/.test(digits)) return `+86${digits}`;
  if (/^(?:0086|86)1[3-9][0-9]{9}$/.test(digits)) return `+86${digits.slice(-11)}`;
  return `+${digits}`;
}
