import type { campaignsEn } from './campaigns.en.ts';
import type { Strings } from './strings.ts';

/** 营销活动视图的简体中文文案。 */
export const campaignsZhCN: Strings<typeof campaignsEn> = {
  title: '营销活动',
  intro: '针对某一人群启动的旅程：运行中查看进度，结束后查看效果。',
  empty: '还没有营销活动。请从以“活动人群”为触发器的旅程启动。',
  progress: '{{name}} 的进度',
  total_one: '{{formatted}} 位客户',
  total_other: '{{formatted}} 位客户',
  started: '已启动 {{formatted}}',
  skipped: '已跳过 {{formatted}}',
  failed: '失败 {{formatted}}',
  launched: '{{by}} 于 {{when}} 启动',
  rate: '每分钟 {{rate}} 位',
  showOutcome: '查看效果',
  hideOutcome: '收起效果',
  outcome: '活动效果',
  channel: '渠道',
  sent: '已发送',
  delivered: '已送达',
  failedMessages: '失败',
  converted: '转化数',
  winBack: '挽回率',
  coupons: '优惠券核销',
  redeemedOf: '{{issued}} 张中核销 {{redeemed}} 张',
  lift: '相对对照组的提升',
  liftValue: '{{points}} 个百分点',
  significant: '显著',
  notSignificant: '尚不显著',
  noHoldout: '无对照组',
  outcomeNote: '消息和优惠券统计自启动以来；转化和提升基于该旅程全部 {{entered}} 次进入。',
};
