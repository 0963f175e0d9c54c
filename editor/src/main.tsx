import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles/base.css';
import './styles/canvas.css';
import './styles/panels.css';
import { App } from './app/App.tsx';
import { initI18n } from './i18n/index.ts';

const container = document.getElementById('root');
if (container) {
  await initI18n();
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
