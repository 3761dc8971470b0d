/** The renderer's entry point: mounts the app shell and connects the store to the main process (or the web host). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApi } from './api/bridge.ts';
import { useAppStore } from './state/app-store.ts';
import { AppShell } from './views/shell/app-shell.tsx';
// The stylesheet, in four parts read in this order (the cascade is their order).
import './styles/1-frame.css';
import './styles/2-register-diff-forms.css';
import './styles/3-screens.css';
import './styles/4-surface.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppShell />
    </StrictMode>,
  );
  connectApi().then(
    (api) => {
      api.onClosed((error) => useAppStore.getState().connectionLost(error));
      return useAppStore.getState().attach(api);
    },
    (err: unknown) =>
      useAppStore.getState().connectionFailed({
        code: 'connect-failed',
        message: err instanceof Error ? err.message : String(err),
        hint: 'Open the exact URL printed by `npm start` or `npm run web`, or restart the app.',
      }),
  );
}
