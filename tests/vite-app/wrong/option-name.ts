// Must not compile: a misspelt option (tests/e2e/package.test.mjs).
import { init } from 'footfall-analytics';

init({ endpoint: '/collect', flushAtt: 5 });
