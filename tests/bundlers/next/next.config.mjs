// A static export (its prerender runs QuoteButton on the server) written to
// target/bundlers/next and served there by the tests. The workspace root is
// the repository's, so that the export may be written under target/.
import { fileURLToPath } from 'node:url';

export default {
  output: 'export',
  basePath: '/target/bundlers/next',
  distDir: '../../../target/bundlers/next',
  turbopack: { root: fileURLToPath(new URL('../../..', import.meta.url)) },
};
