import type { migrationEn } from './migration.en.ts';
import type { Strings } from './strings.ts';

/** 发布时迁移在途客户、回滚与版本列表的简体中文文案。 */
export const migrationZhCN: Strings<typeof migrationEn> = {
  rollbackTitle: '回滚到版本 {{version}}',
  rollbackIntro: '将版本 {{version}} 作为新版本重新发布。草稿保持不变。',
  inFlight: '已在旅程中的客户',
  stay: '仅对新进入的客户生效：在途客户留在原来的版本',
  move: '把在途客户迁移到这个版本',
  loadingPlan: '正在统计每个步骤上等待的客户…',
  nobodyWaiting: '目前旅程中没有正在等待的客户。',
  version: '版本',
  step: '步骤',
  waiting: '等待人数',
  goesTo: '迁移到',
  pick: '选择步骤…',
  keeps: '同一步骤（继续等待）',
  sameStep: '同一步骤',
  planHint: '新版本中保留的步骤会留住原来的客户。客户只能迁移到可以等待的步骤。',
  notReady: '发布前请为每一行选择一个步骤。',
  progressTitle: '正在迁移在途客户',
  progress: '已通知 {{signalled}} · 已迁移 {{moved}} · 已跳过 {{skipped}} · 已结束 {{ended}} · 失败 {{failed}}',
  progressRunning: '进行中；正在发送消息的客户会在发送完成后迁移',
  progressDone: '所有等待中的客户都已收到通知',
  publishedBy: '发布者：{{name}}（{{role}}）',
  publishedByName: '发布者：{{name}}',
  roles: { admin: '管理员', marketer: '营销人员', operator: '运营人员', viewer: '只读用户', ingest: '数据接入' },
  rolledBackFrom: '回滚到 v{{version}}',
  rollback: '回滚到此版本',
  live: '当前版本',
};
