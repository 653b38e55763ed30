// A misspelt option in the script tag's window.footfallSettings.
export {};
import type {} from 'footfall-analytics';
window.footfallSettings = { endpoint: '/collect', flushAtt: 5 };
