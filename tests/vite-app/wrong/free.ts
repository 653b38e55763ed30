// Must not compile: free() is not part of the client's API (tests/e2e/install.test.mjs).
import { init } from 'footfall';

(await init({ endpoint: '/collect' })).free();
