import { ff } from './analytics.js';

export function QuoteButton() {
  return <button onClick={() => ff.trackEvent('quote_requested', { service: 'battery' })}>Get a quote</button>;
}
