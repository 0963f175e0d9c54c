import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate, routeHref } from '../app/route.ts';
import { fieldErrorsOf, templatesApi } from '../client/templates.ts';
import type { FieldError, PreviewOptions, TemplateDraft, TemplateUsage } from '../client/templates.ts';
import { messageOf } from '../console/shared/useLoad.ts';
import { smsSegments } from '../../../journey/sms.ts';
import { CodeEditor } from './CodeEditor.tsx';
import { commonLocales, duplicateOf, errorOf, newTemplate, shownParts, withLocale, withMjml, withoutLocale, withPart } from './draft.ts';
import type { Part } from './draft.ts';
import { PreviewPane } from './PreviewPane.tsx';
import { TestSend, UsedBy } from './UsagePanel.tsx';
import './templates.css';

/** What the studio opens: a saved template, a copy of one, or a new one of a channel. */
export type StudioTarget = { mode: 'edit'; templateId: string } | { mode: 'copy'; templateId: string } | { mode: 'new'; channel: 'email' | 'sms' };

function SmsMeter({ body }: { body: string }) {
  const { t } = useTranslation();
  const s = smsSegments(body);
  return (
    <p className="sms-meter" data-testid="sms-meter" data-encoding={s.encoding}>
      {t('templates.sms.meter', { encoding: s.encoding, characters: s.characters, count: s.segments })}
      {s.encoding === 'UCS-2' && <span className="muted"> · {t('templates.sms.ucs2')}</span>}
    </p>
  );
}

/** The template studio: edit every language version with Handlebars highlighting, preview live, save, test. */
export function TemplateStudio({ target }: { target: StudioTarget }) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<TemplateDraft | null>(target.mode === 'new' ? newTemplate(target.channel, i18n.language) : null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [locale, setLocale] = useState(() => (draft ? (Object.keys(draft.locales)[0] ?? 'en') : 'en'));
  const [addLocale, setAddLocale] = useState('');
  const [options, setOptions] = useState<PreviewOptions>({ vars: { couponCode: 'WELCOME-7KQ2' } });
  const [previewErrors, setPreviewErrors] = useState<FieldError[]>([]);
  const [saveErrors, setSaveErrors] = useState<{ message: string; errors: FieldError[] } | null>(null);
  const [usage, setUsage] = useState<TemplateUsage | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const isNew = target.mode !== 'edit';

  useEffect(() => {
    if (target.mode === 'new') return;
    let live = true;
    templatesApi.get(target.templateId).then(
      ({ template }) => {
        if (!live) return;
        const loaded: TemplateDraft = { ...template };
        setDraft(target.mode === 'copy' ? duplicateOf(loaded) : loaded);
        setLocale(Object.keys(template.locales)[0] ?? 'en');
      },
      (e: unknown) => live && setLoadError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [target.mode, target.mode === 'new' ? target.channel : target.templateId]);

  const editedId = target.mode === 'edit' ? target.templateId : null;
  const loadUsage = useCallback(() => {
    if (editedId === null) return;
    templatesApi.usage(editedId).then(setUsage, () => setUsage(null));
  }, [editedId]);
  useEffect(loadUsage, [loadUsage]);

  if (loadError) return <p className="page error-text" role="alert">{loadError}</p>;
  if (!draft) return <p className="page muted">{t('common.loading')}</p>;

  const edit = (next: TemplateDraft) => {
    setDraft(next);
    setSaved(false);
    setConfirming(false);
  };
  const version = draft.locales[locale] ?? {};
  const errors = saveErrors?.errors.length ? saveErrors.errors : previewErrors;
  const waiting = usage?.waiting ?? 0;

  const save = async (confirmed: boolean) => {
    if (!isNew && waiting > 0 && !confirmed) {
      setConfirming(true);
      return;
    }
    setBusy(true);
    setConfirming(false);
    try {
      if (isNew) {
        const created = await templatesApi.create(draft);
        navigate({ screen: 'template', templateId: created.template.id });
        return;
      }
      await templatesApi.replace(draft);
      setSaveErrors(null);
      setSaved(true);
      loadUsage();
    } catch (e) {
      setSaveErrors({ message: messageOf(e), errors: fieldErrorsOf(e) });
    } finally {
      setBusy(false);
    }
  };

  const partEditor = (part: Part) => {
    const error = errorOf(errors, locale, part);
    return (
      <div className="part-editor" key={`${locale}-${part}`}>
        <span className="part-label">{t(`templates.parts.${part}`)}</span>
        <CodeEditor
          label={`${t(`templates.parts.${part}`)} (${locale})`}
          language={part === 'html' || part === 'mjml' ? 'html' : 'text'}
          singleLine={part === 'subject'}
          value={version[part] ?? ''}
          errorLine={error?.line}
          onChange={(value) => edit(withPart(draft, locale, part, value))}
        />
        {error && (
          <p className="error-text small" role="alert" data-testid={`error-${part}`}>
            {error.line !== undefined ? t('templates.errorAt', { line: error.line, column: error.column ?? 1, message: error.message.replace(/^line \d+, column \d+: /, '') }) : error.message}
          </p>
        )}
        {part === 'body' && <SmsMeter body={version.body ?? ''} />}
      </div>
    );
  };

  return (
    <section className="page page-wide studio">
      <div className="page-head">
        <div>
          <a className="muted small" href={routeHref({ screen: 'templates' })}>
            ← {t('templates.title')}
          </a>
          <h1>{isNew ? t(target.mode === 'copy' ? 'templates.copyTitle' : `templates.new.${draft.channel}`) : draft.name}</h1>
        </div>
        <div className="button-row">
          {saved && (
            <span className="ok-text" role="status">
              {t('templates.saved')}
            </span>
          )}
          {!isNew && (
            <a className="btn" href={routeHref({ screen: 'template', templateId: draft.id, copy: true })}>
              {t('templates.duplicate')}
            </a>
          )}
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void save(false)}>
            {t('templates.save')}
          </button>
        </div>
      </div>
      {confirming && (
        <div className="refusal warning-box" role="alertdialog" aria-label={t('templates.confirm.title')}>
          <p>{t('templates.confirm.text', { count: waiting })}</p>
          <div className="button-row">
            <button type="button" className="btn btn-primary" onClick={() => void save(true)}>
              {t('templates.confirm.save')}
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      {saveErrors && (
        <p className="refusal" role="alert">
          {saveErrors.message}
        </p>
      )}
      <div className="studio-grid">
        <div className="studio-edit card">
          <div className="studio-meta">
            <label className="field">
              <span>{t('templates.id')}</span>
              <input value={draft.id} disabled={!isNew} onChange={(e) => edit({ ...draft, id: e.target.value })} placeholder="spring-sale" />
            </label>
            <label className="field">
              <span>{t('templates.name')}</span>
              <input value={draft.name} onChange={(e) => edit({ ...draft, name: e.target.value })} />
            </label>
          </div>
          <div className="locale-tabs" role="tablist" aria-label={t('templates.languages')}>
            {Object.keys(draft.locales).map((l) => (
              <button key={l} type="button" role="tab" aria-selected={l === locale} className="locale-tab" onClick={() => setLocale(l)}>
                {l}
              </button>
            ))}
            <form
              className="add-locale"
              onSubmit={(e) => {
                e.preventDefault();
                const code = addLocale.trim();
                if (!code) return;
                edit(withLocale(draft, code));
                setLocale(code);
                setAddLocale('');
              }}
            >
              <input list="locale-options" value={addLocale} onChange={(e) => setAddLocale(e.target.value)} placeholder={t('templates.addLanguage')} aria-label={t('templates.addLanguage')} />
              <datalist id="locale-options">
                {commonLocales
                  .filter((l) => !Object.hasOwn(draft.locales, l))
                  .map((l) => (
                    <option key={l} value={l} />
                  ))}
              </datalist>
              <button type="submit" className="btn btn-small">
                +
              </button>
            </form>
            {Object.keys(draft.locales).length > 1 && (
              <button
                type="button"
                className="btn btn-small btn-danger"
                onClick={() => {
                  const next = withoutLocale(draft, locale);
                  edit(next);
                  setLocale(Object.keys(next.locales)[0] ?? 'en');
                }}
              >
                {t('templates.removeLanguage', { locale })}
              </button>
            )}
          </div>
          {draft.channel === 'email' && (
            <label className="choice">
              <input type="checkbox" checked={version.mjml !== undefined} onChange={(e) => edit(withMjml(draft, locale, e.target.checked))} />
              {t('templates.useMjml')}
            </label>
          )}
          {shownParts(draft.channel, version).map(partEditor)}
          <p className="muted small">{t('templates.variablesHint')}</p>
        </div>
        <div className="studio-side">
          <PreviewPane template={draft} locale={locale} options={options} onOptions={setOptions} onErrors={setPreviewErrors} />
          {!isNew && (
            <section className="card">
              <h2>{t('templates.usage.title')}</h2>
              <UsedBy usage={usage} />
            </section>
          )}
          {!isNew && (
            <section className="card">
              <h2>{t('templates.testSend.title')}</h2>
              <TestSend templateId={draft.id} channel={draft.channel} options={options} locale={locale} />
            </section>
          )}
        </div>
      </div>
    </section>
  );
}
