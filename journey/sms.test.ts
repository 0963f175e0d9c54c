import { describe, expect, it } from 'vitest';
import { aliyunSmsBilling, smsSegments } from './sms.ts';

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

describe('aliyunSmsBilling', () => {
  it.each([
    // 【好店】 is 4 characters of the 70.
    ['66 characters and the signature fit one message', '好'.repeat(66), 70, 1],
    ['one more is two messages of 67', '好'.repeat(67), 71, 2],
    ['Latin letters count like Chinese ones', 'a'.repeat(130), 134, 2],
    ['three messages past 134', 'a'.repeat(131), 135, 3],
  ])('%s', (_name, text, characters, segments) => {
    expect(aliyunSmsBilling(text, '好店')).toEqual({ characters, segments });
  });
});
