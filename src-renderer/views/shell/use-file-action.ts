/**
 * One file operation at a time on the sync bar (write a bundle or an enrolment request, import what the server
 * gave back): which one runs, the words it ended with or its error, and the file input cleared after an import so
 * the same file can be chosen again.
 */
import { useRef, useState } from 'react';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { BaselineApi } from '../../../src-shared/common/api/transport.ts';
import { readBase64 } from '../../components/file-transfer.ts';
import { errorOf } from '../../state/app-store.ts';

/** The state of the file operations of one panel; `run` runs one and records how it ended. */
export function useFileAction<K extends string>(onSettled?: () => void) {
  const [busy, setBusy] = useState<K | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function run(kind: K, action: () => Promise<string>): Promise<void> {
    setBusy(kind);
    setError(null);
    setDone(null);
    try {
      setDone(await action());
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(null);
      onSettled?.();
      if (input.current) input.current.value = '';
    }
  }

  return {
    busy,
    done,
    error,
    input,
    run,
    clear: () => {
      setDone(null);
      setError(null);
    },
  };
}

/** Imports a file the server gave (acknowledgement, bundle, enrolment response); resolves with what it did, in words. */
export async function importFromServer(api: BaselineApi, file: File): Promise<string> {
  return (await api.invoke('sync.bundle.import', { fileName: file.name, fileBase64: await readBase64(file) })).message;
}
