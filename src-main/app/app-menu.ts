/**
 * The application menu. The packaged app has no developer tools, reload or zoom-reset shortcuts that a
 * developer build keeps; kept free of Electron imports (the template is plain data) so it is tested in plain Node.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** The menu template; `packaged` drops developer tools and reload. */
export function appMenuTemplate(packaged: boolean): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = packaged
    ? [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }]
    : [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ];
  return [{ role: 'fileMenu' }, { role: 'editMenu' }, { label: 'View', submenu: view }, { role: 'windowMenu' }];
}
