// Preloaded into Electronegativity: it fetches translations and Electron's release list over the network
// with `got`, and on a machine without internet (CI here, a plant laptop) got's retry crashes the process
// (p-cancelable "onCancel handler attached after the promise settled"). We answer every such request with
// an immediate "offline" failure, which Electronegativity already handles (it keeps its bundled English
// texts). The release-list check is excluded separately (it needs the network to say anything).
const Module = require('node:module');
const originalLoad = Module._load;
function offline() {
  return Promise.reject(new Error('offline: Baseline runs Electronegativity without network access'));
}
offline.head = offline;
offline.get = offline;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') return offline;
  return originalLoad.call(this, request, parent, isMain);
};
