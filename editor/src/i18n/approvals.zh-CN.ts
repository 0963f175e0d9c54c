import type { approvalsEn } from './approvals.en.ts';

/** 审批与排期面板的简体中文文案（并入 zh-CN.ts 的 `approvals`）。 */
export const approvalsZhCN: { [K in keyof typeof approvalsEn]: string } = {
  title: '待处理',
  intro: '等待管理员审批的活动和发布，以及等待发起时间的活动。',
  empty: '目前没有待处理的事项。',
  campaigns: '待审批的活动',
  publishes: '待审批的发布',
  scheduled: '已排期的发起',
  asked: '由 {{by}} 于 {{when}} 提交',
  campaignLine: '{{journey}} v{{version}}，{{count}} 位客户',
  publishLine: '发布 {{journey}}：“{{note}}”',
  launchesAt: '将于 {{when}} 发起',
  approve: '批准',
  reject: '驳回',
  cancel: '取消发起',
  reason: '驳回原因',
  confirmReject: '以此原因驳回',
  approvedBy: '由 {{by}} 批准',
  settings: '需要审批',
  settingCampaigns: '所有活动',
  settingPublishes: '营销人员的每次发布',
  settingsNote: '只有管理员可以修改这些设置或进行审批。提交人不能审批自己的请求，除非其为唯一的管理员。',
};
