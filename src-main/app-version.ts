/** The application version, from package.json (one source of truth). */
import pkg from '../package.json' with { type: 'json' };

/** Version string recorded in events and evidence. */
export const APP_VERSION: string = pkg.version;
