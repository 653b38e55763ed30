// Must not compile: an option of the wrong type (tests/e2e/package.test.mjs).
import { init } from 'footfall-analytics';

init({ endpoint: '/collect', dataLayer: { forward: { allow: 'purchase' } } });
