import type { consoleEn } from './console.en.ts';
import type { Strings } from './strings.ts';

/** 控制台各视图共用的简体中文文案。 */
export const consoleZhCN: Strings<typeof consoleEn> = {
  couponOff: '立减 {{offer}}',
  couponStatus: { issued: '未使用', redeemed: '已核销', void: '已作废' },
  expires: '{{when}} 到期',
  showTable: '查看数据表',
  hideTable: '收起数据表',
  noData: '暂无数据。',
};
