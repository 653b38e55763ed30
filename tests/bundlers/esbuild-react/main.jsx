// React 19 bundled by esbuild (wasm copied by hand, named with wasmUrl).
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { load } from 'footfall-analytics';
import { QuoteButton } from './QuoteButton.jsx';

function App() {
  // For the test: the app's client (the same endpoint gives the same client), once rendered.
  useEffect(() => {
    window.footfallTest = load({ endpoint: '/collect' });
  }, []);
  return <QuoteButton />;
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
