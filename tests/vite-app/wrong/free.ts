// Must not compile: free() is not part of the client's API (tests/e2e/install.test.mjs).
import { init } from 'footfall-analytics';

(await init({ endpoint: '/collect' })).free();
