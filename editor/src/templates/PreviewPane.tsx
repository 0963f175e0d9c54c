import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrorsOf, templatesApi } from '../client/templates.ts';
import type { FieldError, PreviewOptions, TemplateDraft, TemplatePreview } from '../client/templates.ts';
import { messageOf } from '../console/shared/useLoad.ts';
import { previewable } from './draft.ts';

export interface PreviewPaneProps {
  template: TemplateDraft;
  locale: string;
  options: PreviewOptions;
  onOptions: (options: PreviewOptions) => void;
  /** Template errors of the latest preview (empty when it rendered), for the editors to mark. */
  onErrors: (errors: FieldError[]) => void;
}

/**
 * The live preview: the draft rendered by the server's sending code (`POST /v1/templates/preview`)
 * a moment after typing pauses, for the sample customer or a chosen one, with a coupon code.
 */
export function PreviewPane({ template, locale, options, onOptions, onErrors }: PreviewPaneProps) {
  const { t } = useTranslation();
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const body = JSON.stringify({ template: previewable(template), locale, options });
  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      setBusy(true);
      templatesApi.preview(previewable(template), { ...options, locale }).then(
        (answer) => {
          if (!live) return;
          setPreview(answer);
          setError(null);
          setBusy(false);
          onErrors([]);
        },
        (e: unknown) => {
          if (!live) return;
          setError(messageOf(e));
          setBusy(false);
          onErrors(fieldErrorsOf(e));
        },
      );
    }, 350);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
    // `body` stands for template, locale and options.
  }, [body]);
  const coupon = options.vars['couponCode'] ?? '';
  return (
    <section className="preview-pane card" aria-label={t('templates.preview.title')} aria-busy={busy}>
      <h2>{t('templates.preview.title')}</h2>
      <div className="preview-controls">
        <label className="field">
          <span>{t('templates.preview.customer')}</span>
          <input value={options.customerId ?? ''} placeholder={t('templates.preview.sample')} onChange={(e) => onOptions({ ...options, customerId: e.target.value.trim() || undefined })} />
        </label>
        <label className="field">
          <span>{t('templates.preview.coupon')}</span>
          <input value={coupon} onChange={(e) => onOptions({ ...options, vars: { ...options.vars, couponCode: e.target.value } })} />
        </label>
      </div>
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <div className={`preview-output${error ? ' stale' : ''}`}>
          <p className="muted small">{t('templates.preview.renderedIn', { locale: preview.locale })}</p>
          {preview.channel === 'email' ? (
            <>
              <p className="preview-subject">
                <span className="muted">{t('templates.parts.subject')}:</span> <strong data-testid="preview-subject">{preview.subject}</strong>
              </p>
              <iframe className="preview-frame" title={t('templates.preview.html')} sandbox="" srcDoc={preview.html ?? ''} />
              <details>
                <summary>{t('templates.parts.text')}</summary>
                <pre className="preview-text">{preview.text}</pre>
              </details>
            </>
          ) : (
            <>
              <div className="sms-bubble" data-testid="preview-sms">
                {preview.body}
              </div>
              {preview.sms && <p className="muted small">{t('templates.sms.meter', { encoding: preview.sms.encoding, characters: preview.sms.characters, count: preview.sms.segments })}</p>}
            </>
          )}
        </div>
      )}
    </section>
  );
}
