import { useTranslation } from 'react-i18next';
import type { MigrationPlan } from '../client/journeys.ts';

/**
 * Per step of the old versions with waiting customers: how many wait there and where they go.
 * A kept step goes to itself by default; a removed one needs a pick; every pick is a step where
 * customers can wait (the plan's `targets`). `errors` are the server's refusals by step id.
 */
export function MigrationPlanTable({
  plan,
  mapping,
  errors,
  removed,
  onChange,
}: {
  plan: MigrationPlan;
  /** Steps the new version no longer has (from the plan without a mapping): they have no default. */
  removed: ReadonlySet<string>;
  mapping: Record<string, string>;
  errors: Record<string, string>;
  onChange: (mapping: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  if (plan.rows.length === 0) return <p className="muted">{t('migration.nobodyWaiting')}</p>;
  const pick = (nodeId: string, target: string) => {
    const next = { ...mapping };
    if (target === '') delete next[nodeId];
    else next[nodeId] = target;
    onChange(next);
  };
  return (
    <>
      <p className="muted small">{t('migration.planHint')}</p>
      <table className="migration-plan">
        <thead>
          <tr>
            <th scope="col">{t('migration.version')}</th>
            <th scope="col">{t('migration.step')}</th>
            <th scope="col">{t('migration.waiting')}</th>
            <th scope="col">{t('migration.goesTo')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.rows.map((row) => {
            const error = errors[row.nodeId] ?? (row.issue && row.issue.code !== 'TARGET_REQUIRED' ? row.issue.message : undefined);
            return (
              <tr key={`${row.version}:${row.nodeId}`} className={row.target === null ? 'needs-pick' : undefined}>
                <td>v{row.version}</td>
                <td>{row.label ?? row.nodeId}</td>
                <td>{row.waiting}</td>
                <td>
                  <select aria-label={t('migration.goesTo') + ' ' + (row.label ?? row.nodeId)} value={mapping[row.nodeId] ?? ''} onChange={(e) => pick(row.nodeId, e.target.value)}>
                    <option value="">{removed.has(row.nodeId) ? t('migration.pick') : row.keepsWaiting || mapping[row.nodeId] !== undefined ? t('migration.keeps') : t('migration.sameStep')}</option>
                    {plan.targets
                      .filter((target) => removed.has(row.nodeId) || target.nodeId !== row.nodeId)
                      .map((target) => (
                        <option key={target.nodeId} value={target.nodeId}>
                          {target.label ?? target.nodeId}
                        </option>
                      ))}
                  </select>
                  {error && <p className="error-text small">{error}</p>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
