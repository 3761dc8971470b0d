// Import-cycle check (dependency-cruiser), run by `npm test` and `npm run check:cycles`. Type-only imports
// count too: a circle of types still ties the modules' layers together (docs/architecture.md).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import in one direction only: move what both sides need (types, errors) into a module below them both.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|dist-renderer|dist-electron|release|test-results)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
