// React 19 (StrictMode) bundled by esbuild: the README's Hero renders on a
// second "route", after footfall is ready, as in a single-page app.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ff } from './analytics.js';
import { Hero } from './Hero.jsx';

function App() {
  const [route, setRoute] = useState('/');
  useEffect(() => {
    ff.ready().then(() => {
      window.footfallTest = ff;
      setTimeout(() => setRoute('/hero'), 100);
    });
  }, []);
  return route === '/hero' ? <Hero /> : <p>Loading</p>;
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
