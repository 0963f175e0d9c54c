import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { smsSegments } from '../../../journey/sms.ts';
import { previewTemplate } from '../client/catalog.ts';
import { useFormat } from '../i18n/format.ts';
import type { TemplatePreview } from '../client/catalog.ts';
import { FieldShell } from './FieldShell.tsx';
import type { FieldProps } from './fieldProps.ts';
import { useCatalog, useJourneyLocale, useNodeKind } from './context.ts';

/** Picks a message template of the step's channel and previews it live in a chosen locale. */
export function TemplatePicker(props: FieldProps) {
  const { t } = useTranslation();
  const f = useFormat();
  const kind = useNodeKind();
  const { templates } = useCatalog();
  const defaultLocale = useJourneyLocale();
  const channel = kind === 'email' || kind === 'sms' ? kind : null;
  const options = templates.filter((tpl) => channel === null || tpl.channel === channel);
  const value = typeof props.value === 'string' ? props.value : '';
  const selected = options.find((tpl) => tpl.id === value);
  const [locale, setLocale] = useState(defaultLocale);
  const errors = props.errors.get(props.path);
  return (
    <>
      <FieldShell name={props.name} errors={errors}>
        {(id, describedBy) =>
          options.length > 0 ? (
            <select id={id} aria-describedby={describedBy} aria-invalid={Boolean(errors?.length)} value={value} onChange={(e) => props.onChange(e.target.value, props.path)}>
              <option value="">{t('inspector.chooseTemplate')}</option>
              {value && !selected && <option value={value}>{value}</option>}
              {options.map((tpl) => (
                <option key={tpl.id} value={tpl.id}>
                  {tpl.name ?? tpl.id}
                </option>
              ))}
            </select>
          ) : (
            <input id={id} type="text" aria-describedby={describedBy} value={value} onChange={(e) => props.onChange(e.target.value, props.path)} />
          )
        }
      </FieldShell>
      {selected && (
        <div className="preview">
          <label className="form-row inline">
            <span>{t('inspector.previewLocale')}</span>
            <select value={locale} onChange={(e) => setLocale(e.target.value)}>
              {[...new Set([defaultLocale, ...selected.locales])].map((l) => (
                <option key={l} value={l}>
                  {f.language(l)}
                </option>
              ))}
            </select>
          </label>
          <Preview templateId={selected.id} channel={selected.channel} locale={locale} />
        </div>
      )}
    </>
  );
}

function Preview({ templateId, channel, locale }: { templateId: string; channel: 'email' | 'sms'; locale: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<{ key: string; preview: TemplatePreview | null; error: string | null } | null>(null);
  const key = `${templateId}:${locale}`;
  useEffect(() => {
    let live = true;
    previewTemplate(templateId, locale).then(
      (preview) => live && setState({ key, preview, error: null }),
      (error: unknown) => live && setState({ key, preview: null, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [templateId, locale, key]);
  if (!state || state.key !== key) return <p className="muted small">{t('common.loading')}</p>;
  if (state.error || !state.preview) return <p className="field-error">{t('inspector.previewFailed', { message: state.error })}</p>;
  const p = state.preview;
  if (channel === 'sms') {
    const body = p.body ?? p.text ?? '';
    const s = smsSegments(body);
    return (
      <div className="sms-preview" data-testid="sms-preview">
        <div className="sms-bubble">{body}</div>
        <p className="muted small">{t('inspector.smsCount', { characters: s.characters, segments: s.segments, encoding: s.encoding })}</p>
      </div>
    );
  }
  return (
    <div className="email-preview" data-testid="email-preview">
      <div className="email-subject">
        <span className="muted">{t('inspector.subject')}</span> {p.subject}
      </div>
      {/* An empty sandbox: the template's HTML can neither run scripts nor reach the editor. */}
      <iframe title={t('inspector.emailPreview')} sandbox="" srcDoc={p.html ?? `<pre>${(p.text ?? '').replace(/</g, '&lt;')}</pre>`} />
    </div>
  );
}
