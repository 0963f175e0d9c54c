import { describe, expect, it } from 'vitest';
import { smsSegments } from './sms.ts';

describe('smsSegments', () => {
  it.each([
    ['short English text', 'Hi Ana, 20% off today', 'GSM-7', 21, 1],
    ['160 GSM characters fit one part', 'a'.repeat(160), 'GSM-7', 160, 1],
    ['161 GSM characters need two parts of 153', 'a'.repeat(161), 'GSM-7', 161, 2],
    ['the euro sign counts twice', '€'.repeat(80), 'GSM-7', 160, 1],
    ['an escape is never split across parts', 'a'.repeat(152) + '€' + 'a'.repeat(152), 'GSM-7', 306, 3],
    ['Chinese switches to UCS-2', '生日快乐！', 'UCS-2', 5, 1],
    ['71 Chinese characters need two parts', '好'.repeat(71), 'UCS-2', 71, 2],
    ['one emoji turns the whole message into UCS-2', 'Hi 🎉', 'UCS-2', 5, 1],
    ['empty body sends nothing', '', 'GSM-7', 0, 0],
  ])('%s', (_name, body, encoding, characters, segments) => {
    expect(smsSegments(body)).toEqual({ encoding, characters, segments });
  });
});
